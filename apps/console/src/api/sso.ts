// Single sign-on: what the tenant's sign-in page offers and how a sign-in starts (the browser is sent to
// the identity provider and comes back through the API's callback), and the organization's OIDC provider
// as settings:manage configures it. The client secret is write-only: the server answers only whether one
// is stored.
import { request } from "./http.ts";
import { field, str, strings, strOrNull, type Wire } from "./wire.ts";

export interface SsoOption {
  id: string;
  displayName: string;
}

export interface SsoOptions {
  /** Password sign-in is refused but for the break-glass account. */
  required: boolean;
  providers: SsoOption[];
}

export async function ssoOptions(): Promise<SsoOptions> {
  const body = await request<Wire>("GET", "/api/auth/sso/providers");
  const list = Array.isArray(field(body, "providers")) ? (field(body, "providers") as Wire[]) : [];
  return {
    required: field(body, "ssoEnabled") === true,
    providers: list.map((p) => ({ id: str(p, "id"), displayName: str(p, "displayName") })),
  };
}

/** Starts a sign-in: the identity provider's URL to send the browser to. */
export async function startSso(providerId: string, returnTo?: string): Promise<string> {
  const body: Wire = { provider_id: providerId };
  if (returnTo) body.return_to = returnTo;
  return str(await request<Wire>("POST", "/api/auth/sso/start", { body }), "authorizationUrl");
}

export interface SsoRoleRule {
  value: string;
  roleId: string;
}

export interface SsoProvider {
  id: string;
  preset: string;
  displayName: string;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  scopes: string[];
  roleClaim: string | null;
  roleMapping: SsoRoleRule[];
  defaultRoleId: string;
  enabled: boolean;
  redirectUri: string;
}

function toProvider(r: Wire): SsoProvider {
  const rules = Array.isArray(field(r, "roleMapping")) ? (field(r, "roleMapping") as Wire[]) : [];
  return {
    id: str(r, "id"),
    preset: str(r, "preset"),
    displayName: str(r, "displayName"),
    issuer: str(r, "issuer"),
    clientId: str(r, "clientId"),
    hasClientSecret: field(r, "hasClientSecret") === true,
    scopes: strings(r, "scopes"),
    roleClaim: strOrNull(r, "roleClaim"),
    roleMapping: rules.map((x) => ({ value: str(x, "value"), roleId: str(x, "roleId") })),
    defaultRoleId: str(r, "defaultRoleId"),
    enabled: field(r, "enabled") === true,
    redirectUri: str(r, "redirectUri"),
  };
}

export async function getSsoProvider(): Promise<SsoProvider | null> {
  const body = await request<Wire>("GET", "/api/sso/providers");
  const rows = Array.isArray(field(body, "data")) ? (field(body, "data") as Wire[]) : [];
  return rows[0] ? toProvider(rows[0]) : null;
}

export interface SsoProviderInput {
  preset: string;
  displayName: string;
  issuer: string;
  clientId: string;
  /** Empty: keep the stored one. */
  clientSecret: string;
  roleClaim: string;
  roleMapping: SsoRoleRule[];
  defaultRoleId: string;
  enabled: boolean;
}

export async function saveSsoProvider(id: string | null, p: SsoProviderInput): Promise<SsoProvider> {
  const body: Wire = {
    display_name: p.displayName,
    client_id: p.clientId,
    role_claim: p.roleClaim.trim() || null,
    role_mapping: p.roleMapping.map((r) => ({ value: r.value, role_id: r.roleId })),
    default_role_id: p.defaultRoleId,
    enabled: p.enabled,
  };
  if (p.issuer.trim()) body.issuer = p.issuer.trim();
  if (p.clientSecret) body.client_secret = p.clientSecret;
  if (id) return toProvider(await request<Wire>("PATCH", `/api/sso/providers/${id}`, { body }));
  return toProvider(
    await request<Wire>("POST", "/api/sso/providers", { body: { ...body, preset: p.preset } }),
  );
}

export interface SsoTest {
  ok: boolean;
  error: string | null;
}

export async function testSsoProvider(id: string): Promise<SsoTest> {
  const r = await request<Wire>("POST", `/api/sso/providers/${id}/test`);
  return { ok: field(r, "ok") === true, error: strOrNull(r, "error") };
}

/** The organization-wide switch: SSO required (password refused but for the break-glass account). */
export async function saveSsoRequirement(required: boolean, preset: string, breakGlassEmail: string) {
  await request("PATCH", "/api/settings", {
    body: {
      settings: {
        sso_enabled: required,
        sso_provider: preset,
        sso_break_glass_email: breakGlassEmail.trim() || null,
      },
    },
  });
}
