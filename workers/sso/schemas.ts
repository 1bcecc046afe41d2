// The contract of /api/sso: an organization's identity providers as admins configure them — OIDC (the
// client secret is write-only: `has_client_secret` tells whether one is stored) and SAML 2.0 (the IdP's
// entity id, SSO URL and signing certificate; our entity id, ACS and metadata URLs answered) —, the test's
// answer, and the public sign-in surface of the tenant's sign-in page (enabled providers, the IdP's URL).
import { z } from "zod";
import { SSO_PRESETS } from "../../db/schema/tenant/sso-provider.ts";
import { Id, Timestamp } from "../contract/schemas.ts";

const TEXT = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters");
const CLAIM = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_:./-]{0,127}$/, "a claim name like groups or roles");
const SCOPE = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, "an OAuth scope token");

export const SsoPreset = z.enum(SSO_PRESETS).meta({
  id: "SsoPreset",
  description: "okta, azure_ad (Microsoft Entra ID), google (Google Workspace) or generic",
});

export const RoleRule = z
  .object({ value: TEXT(256).describe("A value of the role claim, e.g. a group name"), role_id: Id })
  .meta({ id: "SsoRoleRule" });

const fields = {
  display_name: TEXT(64).describe('What the sign-in button says after "Sign in with"'),
  issuer: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("The OpenID Provider's issuer URL (discovery)"),
  client_id: TEXT(512),
  client_secret: TEXT(2048).describe("Write-only: never answered"),
  scopes: z
    .array(SCOPE)
    .min(1)
    .max(20)
    .refine((s) => s.includes("openid"), "must include openid"),
  email_claim: CLAIM,
  role_claim: CLAIM.nullable(),
  role_mapping: z.array(RoleRule).max(100).describe("First rule whose value the role claim holds wins"),
  default_role_id: Id.describe("The role of a just-in-time user that no rule matches"),
  enabled: z.boolean(),
};

const samlFields = {
  idp_entity_id: TEXT(1024).describe("The SAML IdP's entity id (its Issuer)"),
  sso_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("The IdP's single sign-on URL (HTTP-Redirect binding)"),
  idp_certificate: z
    .string()
    .trim()
    .min(1)
    .max(20_000)
    .describe(
      "The IdP's signing certificate, PEM (-----BEGIN CERTIFICATE-----…); up to four one after the other " +
        "during a key rollover (a signature by any of them counts)",
    ),
};

export const SamlProviderCreate = z
  .object({
    type: z.literal("saml"),
    preset: SsoPreset,
    display_name: fields.display_name.optional(),
    ...samlFields,
    email_claim: fields.email_claim.optional().describe("The attribute with the email (default: email)"),
    role_claim: fields.role_claim.optional().describe("The attribute with the groups (default: groups)"),
    role_mapping: fields.role_mapping.optional(),
    default_role_id: fields.default_role_id,
    enabled: fields.enabled.optional(),
  })
  .strict()
  .meta({ id: "SamlProviderCreate" });
export type SamlProviderCreate = z.output<typeof SamlProviderCreate>;

export const OidcProviderCreate = z
  .object({
    type: z.literal("oidc").optional(),
    preset: SsoPreset,
    ...fields,
    display_name: fields.display_name.optional(),
    issuer: fields.issuer.optional().describe("Required except for google, whose issuer is fixed"),
    scopes: fields.scopes.optional(),
    email_claim: fields.email_claim.optional(),
    role_claim: fields.role_claim.optional(),
    role_mapping: fields.role_mapping.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict()
  .meta({ id: "OidcProviderCreate" });
export type OidcProviderCreate = z.output<typeof OidcProviderCreate>;

export const SsoProviderCreate = z
  .union([OidcProviderCreate, SamlProviderCreate])
  .meta({ id: "SsoProviderCreate", description: "An OIDC provider (type oidc or absent) or a SAML IdP" });
export type SsoProviderCreate = z.output<typeof SsoProviderCreate>;

export const SsoProviderPatch = z
  .object({ ...fields, ...samlFields })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change")
  .meta({ id: "SsoProviderPatch" });
export type SsoProviderPatch = z.output<typeof SsoProviderPatch>;

export const SsoProvider = z
  .object({
    id: Id,
    type: z.enum(["oidc", "saml"]),
    preset: SsoPreset,
    display_name: z.string(),
    issuer: z.string(),
    client_id: z.string(),
    has_client_secret: z.boolean(),
    scopes: z.array(z.string()),
    email_claim: z.string(),
    role_claim: z.string().nullable(),
    role_mapping: z.array(RoleRule),
    default_role_id: Id,
    enabled: z.boolean(),
    redirect_uri: z
      .string()
      .describe("Register this at the provider: the OIDC redirect URI, or the SAML ACS URL"),
    saml: z
      .object({
        idp_entity_id: z.string(),
        sso_url: z.string(),
        idp_certificate: z.string(),
        sp_entity_id: z.string().describe("Our entity id (the metadata URL): the IdP's audience"),
        acs_url: z.string(),
        metadata_url: z.string(),
      })
      .nullable()
      .describe("SAML providers only"),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "SsoProvider" });
export type SsoProvider = z.infer<typeof SsoProvider>;

export const SsoProviderList = z.object({ data: z.array(SsoProvider) });

export const SsoTestResult = z
  .object({
    ok: z.boolean(),
    issuer: z.string(),
    authorization_endpoint: z.string().nullable(),
    token_endpoint: z.string().nullable(),
    userinfo_endpoint: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "SsoTestResult" });
export type SsoTestResult = z.infer<typeof SsoTestResult>;

export const SsoPresetInfo = z.object({
  preset: SsoPreset,
  label: z.string(),
  issuer_template: z.string().nullable(),
  scopes: z.array(z.string()),
  email_claim: z.string(),
  role_claim: z.string().nullable(),
});
export const SsoPresetList = z.object({ data: z.array(SsoPresetInfo) });

export const SsoSignInOption = z
  .object({ id: Id, type: z.enum(["oidc", "saml"]), preset: SsoPreset, display_name: z.string() })
  .meta({ id: "SsoSignInOption" });
export const SsoSignInOptions = z
  .object({
    sso_enabled: z.boolean(),
    providers: z.array(SsoSignInOption),
  })
  .meta({ id: "SsoSignInOptions" });

export const SamlMetadataImport = z
  .object({
    metadata_xml: z
      .string()
      .min(1)
      .max(512 * 1024)
      .optional()
      .describe("The IdP's metadata document (an EntityDescriptor), pasted"),
    metadata_url: z.url().max(2048).optional().describe("Where the IdP publishes it (https)"),
  })
  .strict()
  .refine((b) => (b.metadata_xml === undefined) !== (b.metadata_url === undefined), {
    message: "give metadata_xml or metadata_url (one of them)",
  })
  .meta({ id: "SamlMetadataImport" });

export const SamlIdpMetadata = z
  .object({
    idp_entity_id: z.string(),
    sso_url: z.string().describe("The HTTP-Redirect SingleSignOnService location"),
    idp_certificate: z.string().describe("The signing certificates, PEM, as idp_certificate takes them"),
    certificate_count: z.number().int(),
  })
  .meta({ id: "SamlIdpMetadata", description: "What an IdP's metadata gives a SAML provider" });

export const SsoStartBody = z
  .object({
    provider_id: Id.optional().describe(
      "Defaults to the organization's enabled OIDC provider, else its enabled SAML IdP",
    ),
    return_to: z
      .string()
      .max(512)
      .regex(/^\/(?!\/)[^\s\\]*$/, "a path on this host, like /connections")
      .optional(),
    cli_redirect: z
      .string()
      .regex(/^http:\/\/127\.0\.0\.1:\d{1,5}\/callback$/, "http://127.0.0.1:<port>/callback")
      .optional()
      .describe("The CLI's loopback listener: the IdP's answer is forwarded there for the CLI to redeem"),
  })
  .strict();
export const SsoStartAnswer = z.object({ authorization_url: z.string() });
