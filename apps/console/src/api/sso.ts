// Single sign-on: what the tenant's sign-in page offers and how a sign-in starts (the browser is sent to
// the identity provider and comes back through the API's callback or SAML ACS), and the organization's
// providers — one OpenID Connect provider, one SAML IdP — as settings:manage configures them. Views get the
// OpenAPI document's own types. The OIDC client secret is write-only: the server answers only whether one
// is stored.
import { api, ok, type Schemas } from "./http.ts";

export type SsoOptions = Schemas["SsoSignInOptions"];
export type SsoProvider = Schemas["SsoProvider"];
export type SsoPreset = Schemas["SsoPreset"];
export type OidcProviderCreate = Schemas["OidcProviderCreate"];
export type SamlProviderCreate = Schemas["SamlProviderCreate"];
export type SsoProviderPatch = Schemas["SsoProviderPatch"];
export type SsoTestResult = Schemas["SsoTestResult"];
export type SamlMetadataImport = Schemas["SamlMetadataImport"];
export type SamlIdpMetadata = Schemas["SamlIdpMetadata"];

export function ssoOptions(): Promise<SsoOptions> {
  return ok(api.GET("/api/auth/sso/providers"));
}

/** Starts a sign-in: the identity provider's URL to send the browser to. */
export async function startSso(providerId: string, returnTo?: string): Promise<string> {
  const body = { provider_id: providerId, ...(returnTo ? { return_to: returnTo } : {}) };
  return (await ok(api.POST("/api/auth/sso/start", { body }))).authorization_url;
}

export async function listSsoProviders(): Promise<SsoProvider[]> {
  return (await ok(api.GET("/api/sso/providers"))).data;
}

export function createSsoProvider(body: OidcProviderCreate | SamlProviderCreate): Promise<SsoProvider> {
  return ok(api.POST("/api/sso/providers", { body }));
}

export function changeSsoProvider(id: string, body: SsoProviderPatch): Promise<SsoProvider> {
  return ok(api.PATCH("/api/sso/providers/{id}", { params: { path: { id } }, body }));
}

export function testSsoProvider(id: string): Promise<SsoTestResult> {
  return ok(api.POST("/api/sso/providers/{id}/test", { params: { path: { id } } }));
}

/** Reads a SAML IdP's metadata (pasted XML, or a URL the server fetches) into provider fields; saves nothing. */
export function importSamlMetadata(body: SamlMetadataImport): Promise<SamlIdpMetadata> {
  return ok(api.POST("/api/sso/saml-metadata", { body }));
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
