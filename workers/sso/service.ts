// The organization's OIDC provider as admins manage it: create (preset defaults filled in), change, remove,
// test (discovery against the issuer) and the presets list. The client secret is encrypted with the
// tenant's data key on the way in and never comes back out; every change is audited without it.
import { recordAudit } from "../audit/audit.ts";
import { iso } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { discover, SsoFailure } from "./oidc.ts";
import { fixedIssuer, PRESETS } from "./presets.ts";
import type { SsoProvider, SsoProviderCreate, SsoProviderPatch, SsoTestResult } from "./schemas.ts";
import { type SsoProviderChange, type SsoProviderRow, ssoStore } from "./store.ts";

export function presentProvider(row: SsoProviderRow, redirectUri: string): SsoProvider {
  return {
    id: row.id,
    type: row.type,
    preset: row.preset,
    display_name: row.displayName,
    issuer: row.issuer,
    client_id: row.clientId,
    has_client_secret: row.clientSecretEncrypted !== null,
    scopes: row.scopes,
    email_claim: row.emailClaim,
    role_claim: row.roleClaim,
    role_mapping: row.roleMapping,
    default_role_id: row.defaultRoleId,
    enabled: row.enabled,
    redirect_uri: redirectUri,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

const fieldError = (path: string, message: string) =>
  new ApiError("VALIDATION_ERROR", message, { fields: [{ path, message, code: "custom" }] });

function checkIssuer(ctx: TenantContext, issuer: string): void {
  if (ctx.env.ENVIRONMENT === "production" && !issuer.startsWith("https://"))
    throw fieldError("issuer", "the issuer must be an https URL");
}

async function checkRoles(ctx: TenantContext, b: Pick<SsoProviderPatch, "default_role_id" | "role_mapping">) {
  const store = ssoStore(ctx);
  if (b.default_role_id && !(await store.roleVisible(b.default_role_id)))
    throw fieldError("default_role_id", "no such role in this organization");
  for (const [i, r] of (b.role_mapping ?? []).entries()) {
    if (!(await store.roleVisible(r.role_id)))
      throw fieldError(`role_mapping.${i}.role_id`, "no such role in this organization");
  }
}

const who = (ctx: TenantContext) => (ctx.actor.kind === "user" ? ctx.actor.email : "the platform");

/** What an audit row may say about a provider: everything but the secret. */
const forAudit = (row: SsoProviderRow) => ({
  id: row.id,
  preset: row.preset,
  issuer: row.issuer,
  client_id: row.clientId,
  scopes: row.scopes,
  role_claim: row.roleClaim,
  role_mapping: row.roleMapping,
  default_role_id: row.defaultRoleId,
  enabled: row.enabled,
});

export async function listProviders(ctx: TenantContext): Promise<SsoProviderRow[]> {
  return ssoStore(ctx).list();
}

export async function getProvider(ctx: TenantContext, id: string): Promise<SsoProviderRow> {
  const row = await ssoStore(ctx).get(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such SSO provider");
  return row;
}

export async function createProvider(ctx: TenantContext, b: SsoProviderCreate): Promise<SsoProviderRow> {
  const preset = PRESETS[b.preset];
  const issuer = b.issuer ?? fixedIssuer(b.preset);
  if (!issuer)
    throw fieldError(
      "issuer",
      `required for ${b.preset} (like ${preset.issuerTemplate ?? "https://idp.example.com"})`,
    );
  checkIssuer(ctx, issuer);
  await checkRoles(ctx, b);
  const store = ssoStore(ctx);
  if (await store.byType("oidc"))
    throw new ApiError("CONFLICT", "The organization already has an OIDC provider: change it instead");
  const row = await store.create({
    type: "oidc",
    preset: b.preset,
    displayName: b.display_name ?? preset.label,
    issuer,
    clientId: b.client_id,
    clientSecretEncrypted: await encryptForTenant(ctx.env, ctx.tenant, b.client_secret),
    scopes: b.scopes ?? preset.scopes,
    emailClaim: b.email_claim ?? preset.emailClaim,
    roleClaim: b.role_claim === undefined ? preset.roleClaim : b.role_claim,
    roleMapping: b.role_mapping ?? [],
    defaultRoleId: b.default_role_id,
    enabled: b.enabled ?? false,
  });
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "sso_provider_created",
    description: `${who(ctx)} added the ${row.displayName} single sign-on provider`,
    category: "system",
    metadata: { provider: forAudit(row) },
  });
  return row;
}

export async function changeProvider(
  ctx: TenantContext,
  id: string,
  b: SsoProviderPatch,
): Promise<SsoProviderRow> {
  const before = await getProvider(ctx, id);
  if (b.issuer) checkIssuer(ctx, b.issuer);
  await checkRoles(ctx, b);
  const set: SsoProviderChange = {
    displayName: b.display_name,
    issuer: b.issuer,
    clientId: b.client_id,
    scopes: b.scopes,
    emailClaim: b.email_claim,
    roleClaim: b.role_claim,
    roleMapping: b.role_mapping,
    defaultRoleId: b.default_role_id,
    enabled: b.enabled,
  };
  if (b.client_secret)
    set.clientSecretEncrypted = await encryptForTenant(ctx.env, ctx.tenant, b.client_secret);
  const row = await ssoStore(ctx).change(id, set);
  if (!row) throw new ApiError("NOT_FOUND", "No such SSO provider");
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "sso_provider_updated",
    description: `${who(ctx)} changed the ${row.displayName} single sign-on provider`,
    category: "system",
    metadata: {
      fields: Object.keys(b),
      client_secret_changed: b.client_secret !== undefined,
      before: forAudit(before),
      after: forAudit(row),
    },
  });
  return row;
}

export async function removeProvider(ctx: TenantContext, id: string): Promise<void> {
  const row = await getProvider(ctx, id);
  await ssoStore(ctx).remove(id);
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "sso_provider_deleted",
    description: `${who(ctx)} removed the ${row.displayName} single sign-on provider`,
    category: "system",
    metadata: { provider: forAudit(row) },
  });
}

/** Discovery against the provider's issuer: what an admin checks before turning it on. */
export async function testProvider(ctx: TenantContext, id: string): Promise<SsoTestResult> {
  const row = await getProvider(ctx, id);
  let result: SsoTestResult;
  try {
    const as = await discover(ctx.env, row.issuer);
    result = {
      ok: true,
      issuer: as.issuer,
      authorization_endpoint: as.authorization_endpoint ?? null,
      token_endpoint: as.token_endpoint ?? null,
      userinfo_endpoint: as.userinfo_endpoint ?? null,
      error: null,
    };
  } catch (err) {
    const error = err instanceof SsoFailure ? err.reason : String(err);
    result = {
      ok: false,
      issuer: row.issuer,
      authorization_endpoint: null,
      token_endpoint: null,
      userinfo_endpoint: null,
      error,
    };
  }
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "sso_provider_tested",
    description: `${who(ctx)} tested the ${row.displayName} single sign-on provider: ${result.ok ? "ok" : result.error}`,
    category: "system",
    status: result.ok ? "success" : "warning",
    metadata: { provider_id: row.id, ok: result.ok },
  });
  return result;
}

export function presetList() {
  return Object.entries(PRESETS).map(([preset, p]) => ({
    preset: preset as keyof typeof PRESETS,
    label: p.label,
    issuer_template: p.issuerTemplate,
    scopes: p.scopes,
    email_claim: p.emailClaim,
    role_claim: p.roleClaim,
  }));
}
