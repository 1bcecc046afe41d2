// Single sign-on: what the tenant's sign-in page offers and how a sign-in starts (the browser is sent to
// the identity provider and comes back through the API's callback), and the organization's OIDC provider
// as settings:manage configures it. The client secret is write-only: the server answers only whether one
// is stored.
import { api, ok, type Schemas } from "./http.ts";

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
  const body = await ok(api.GET("/api/auth/sso/providers"));
  return {
    required: body.sso_enabled,
    providers: body.providers.map((p) => ({ id: p.id, displayName: p.display_name })),
  };
}

/** Starts a sign-in: the identity provider's URL to send the browser to. */
export async function startSso(providerId: string, returnTo?: string): Promise<string> {
  const body = { provider_id: providerId, ...(returnTo ? { return_to: returnTo } : {}) };
  return (await ok(api.POST("/api/auth/sso/start", { body }))).authorization_url;
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

function toProvider(r: Schemas["SsoProvider"]): SsoProvider {
  return {
    id: r.id,
    preset: r.preset,
    displayName: r.display_name,
    issuer: r.issuer,
    clientId: r.client_id,
    hasClientSecret: r.has_client_secret,
    scopes: r.scopes,
    roleClaim: r.role_claim,
    roleMapping: r.role_mapping.map((x) => ({ value: x.value, roleId: x.role_id })),
    defaultRoleId: r.default_role_id,
    enabled: r.enabled,
    redirectUri: r.redirect_uri,
  };
}

export async function getSsoProvider(): Promise<SsoProvider | null> {
  const rows = (await ok(api.GET("/api/sso/providers"))).data;
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
  const body = {
    display_name: p.displayName,
    client_id: p.clientId,
    role_claim: p.roleClaim.trim() || null,
    role_mapping: p.roleMapping.map((r) => ({ value: r.value, role_id: r.roleId })),
    default_role_id: p.defaultRoleId,
    enabled: p.enabled,
    ...(p.issuer.trim() ? { issuer: p.issuer.trim() } : {}),
    ...(p.clientSecret ? { client_secret: p.clientSecret } : {}),
  };
  if (id)
    return toProvider(await ok(api.PATCH("/api/sso/providers/{id}", { params: { path: { id } }, body })));
  const preset = p.preset as Schemas["SsoProviderCreate"]["preset"];
  const create = { ...body, preset, client_secret: p.clientSecret };
  return toProvider(await ok(api.POST("/api/sso/providers", { body: create })));
}

export interface SsoTest {
  ok: boolean;
  error: string | null;
}

export async function testSsoProvider(id: string): Promise<SsoTest> {
  const r = await ok(api.POST("/api/sso/providers/{id}/test", { params: { path: { id } } }));
  return { ok: r.ok, error: r.error ?? null };
}

/** The organization-wide switch: SSO required (password refused but for the break-glass account). */
export async function saveSsoRequirement(required: boolean, preset: string, breakGlassEmail: string) {
  await ok(
    api.PATCH("/api/settings", {
      body: {
        settings: {
          sso_enabled: required,
          sso_provider: preset,
          sso_break_glass_email: breakGlassEmail.trim() || null,
        },
      },
    }),
  );
}
