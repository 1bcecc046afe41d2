// The organization's identity providers as admins manage them — one OIDC provider and one SAML IdP: create
// (preset defaults filled in), change, remove, test (OIDC: discovery against the issuer; SAML: the
// certificate and SSO URL) and the presets list. The OIDC client secret is encrypted with the tenant's data
// key on the way in and never comes back out; every change is audited without it.
import { recordAudit } from "../audit/audit.ts";
import { iso } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { discover, SsoFailure } from "./oidc.ts";
import { fixedIssuer, PRESETS } from "./presets.ts";
import { normalizeCertificates, type SamlSp } from "./saml.ts";
import type {
  OidcProviderCreate,
  SamlProviderCreate,
  SsoProvider,
  SsoProviderCreate,
  SsoProviderPatch,
  SsoTestResult,
} from "./schemas.ts";
import { type SsoProviderChange, type SsoProviderRow, ssoStore } from "./store.ts";

/** Where this tenant's IdP sends people back: the OIDC callback, and the SAML service provider. */
export interface SpEndpoints {
  callback: string;
  sp: SamlSp;
}

export function presentProvider(row: SsoProviderRow, at: SpEndpoints): SsoProvider {
  const saml = row.type === "saml";
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
    redirect_uri: saml ? at.sp.acsUrl : at.callback,
    saml: saml
      ? {
          idp_entity_id: row.issuer,
          sso_url: row.samlSsoUrl ?? "",
          idp_certificate: row.samlIdpCertificate ?? "",
          sp_entity_id: at.sp.entityId,
          acs_url: at.sp.acsUrl,
          metadata_url: at.sp.entityId,
        }
      : null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

const fieldError = (path: string, message: string) =>
  new ApiError("VALIDATION_ERROR", message, { fields: [{ path, message, code: "custom" }] });

function checkUrl(ctx: TenantContext, field: string, url: string): void {
  if (ctx.env.ENVIRONMENT === "production" && !url.startsWith("https://"))
    throw fieldError(field, `the ${field} must be an https URL`);
}

const OIDC_ONLY = ["issuer", "client_id", "client_secret", "scopes"] as const;
const SAML_ONLY = ["idp_entity_id", "sso_url", "idp_certificate"] as const;

function checkFieldsFor(row: SsoProviderRow, b: SsoProviderPatch): void {
  const foreign = row.type === "saml" ? OIDC_ONLY : SAML_ONLY;
  for (const f of foreign)
    if (b[f] !== undefined) throw fieldError(f, `not a field of a ${row.type.toUpperCase()} provider`);
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
  type: row.type,
  preset: row.preset,
  issuer: row.issuer,
  saml_sso_url: row.samlSsoUrl,
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

/** The certificates as stored: one to four PEM blocks, joined. */
function certificateOf(pem: string): string {
  const certs = normalizeCertificates(pem);
  if (!certs) throw fieldError("idp_certificate", "not one to four PEM X.509 certificates");
  return certs.join("\n");
}

async function created(ctx: TenantContext, row: SsoProviderRow): Promise<SsoProviderRow> {
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "sso_provider_created",
    description: `${who(ctx)} added the ${row.displayName} single sign-on provider`,
    category: "system",
    metadata: { provider: forAudit(row) },
  });
  return row;
}

export async function createProvider(ctx: TenantContext, b: SsoProviderCreate): Promise<SsoProviderRow> {
  return b.type === "saml" ? createSamlProvider(ctx, b) : createOidcProvider(ctx, b);
}

async function createSamlProvider(ctx: TenantContext, b: SamlProviderCreate): Promise<SsoProviderRow> {
  checkUrl(ctx, "sso_url", b.sso_url);
  const certificate = certificateOf(b.idp_certificate);
  await checkRoles(ctx, b);
  const store = ssoStore(ctx);
  if (await store.byType("saml"))
    throw new ApiError("CONFLICT", "The organization already has a SAML provider: change it instead");
  const row = await store.create({
    type: "saml",
    preset: b.preset,
    displayName: b.display_name ?? PRESETS[b.preset].label,
    issuer: b.idp_entity_id,
    clientId: "",
    clientSecretEncrypted: null,
    samlSsoUrl: b.sso_url,
    samlIdpCertificate: certificate,
    scopes: [],
    emailClaim: b.email_claim ?? "email",
    roleClaim: b.role_claim === undefined ? "groups" : b.role_claim,
    roleMapping: b.role_mapping ?? [],
    defaultRoleId: b.default_role_id,
    enabled: b.enabled ?? false,
  });
  return created(ctx, row);
}

async function createOidcProvider(ctx: TenantContext, b: OidcProviderCreate): Promise<SsoProviderRow> {
  const preset = PRESETS[b.preset];
  const issuer = b.issuer ?? fixedIssuer(b.preset);
  if (!issuer)
    throw fieldError(
      "issuer",
      `required for ${b.preset} (like ${preset.issuerTemplate ?? "https://idp.example.com"})`,
    );
  checkUrl(ctx, "issuer", issuer);
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
  return created(ctx, row);
}

export async function changeProvider(
  ctx: TenantContext,
  id: string,
  b: SsoProviderPatch,
): Promise<SsoProviderRow> {
  const before = await getProvider(ctx, id);
  checkFieldsFor(before, b);
  if (b.issuer) checkUrl(ctx, "issuer", b.issuer);
  if (b.sso_url) checkUrl(ctx, "sso_url", b.sso_url);
  await checkRoles(ctx, b);
  const set: SsoProviderChange = {
    displayName: b.display_name,
    issuer: b.issuer ?? b.idp_entity_id,
    samlSsoUrl: b.sso_url,
    samlIdpCertificate: b.idp_certificate === undefined ? undefined : certificateOf(b.idp_certificate),
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

/** What an admin checks before turning a SAML IdP on: its certificate and SSO URL are usable. */
function testSaml(row: SsoProviderRow): SsoTestResult {
  const cert = row.samlIdpCertificate ? normalizeCertificates(row.samlIdpCertificate) : null;
  const error = !cert
    ? "the IdP certificate is not a PEM X.509 certificate"
    : !row.samlSsoUrl
      ? "no SSO URL"
      : null;
  return {
    ok: error === null,
    issuer: row.issuer,
    authorization_endpoint: row.samlSsoUrl,
    token_endpoint: null,
    userinfo_endpoint: null,
    error,
  };
}

/** Discovery against the provider's issuer (OIDC), the certificate (SAML): checked before turning it on. */
export async function testProvider(ctx: TenantContext, id: string): Promise<SsoTestResult> {
  const row = await getProvider(ctx, id);
  let result: SsoTestResult;
  if (row.type === "saml") result = testSaml(row);
  else
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
