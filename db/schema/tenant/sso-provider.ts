// SSO_PROVIDER: an organization's identity provider (OIDC, SAML 2.0), SSO_AUTH_REQUEST: the short-lived
// server-side half of one sign-in in flight (OIDC: state, PKCE verifier, nonce; SAML: the AuthnRequest id),
// consumed once by the callback, and SSO_SAML_ASSERTION: the ids of accepted SAML assertions, kept until
// they expire so that a replayed assertion is refused. The client secret and the verifier are encrypted with
// the tenant's data key; a SAML IdP's signing certificate is public and kept as given (PEM).
import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { organization } from "./organization.ts";
import { role } from "./role.ts";

export const SSO_TYPES = ["oidc", "saml"] as const;
export type SsoType = (typeof SSO_TYPES)[number];
export const SSO_PRESETS = ["okta", "azure_ad", "google", "generic"] as const;
export type SsoPreset = (typeof SSO_PRESETS)[number];

/** A claim value (e.g. a group name) that gives a role; the first rule that matches wins. */
export interface SsoRoleRule {
  value: string;
  role_id: string;
}

export const ssoProvider = pgTable(
  "sso_provider",
  {
    id: id(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    type: text("type").$type<SsoType>().notNull().default("oidc"),
    preset: text("preset").$type<SsoPreset>().notNull(),
    displayName: text("display_name").notNull(),
    issuer: text("issuer").notNull(),
    clientId: text("client_id").notNull(),
    clientSecretEncrypted: text("client_secret_encrypted"),
    // SAML: the IdP's single sign-on URL (HTTP-Redirect binding) and signing certificate (PEM). For a SAML
    // provider `issuer` holds the IdP's entity id; client_id and scopes are unused.
    samlSsoUrl: text("saml_sso_url"),
    samlIdpCertificate: text("saml_idp_certificate"),
    scopes: text("scopes").array().notNull().default(sql`'{openid,email,profile}'::text[]`),
    emailClaim: text("email_claim").notNull().default("email"),
    roleClaim: text("role_claim"),
    roleMapping: jsonb("role_mapping").$type<SsoRoleRule[]>().notNull().default([]),
    defaultRoleId: uuid("default_role_id")
      .notNull()
      .references(() => role.id),
    enabled: boolean("enabled").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("idx_sso_provider_org_type").on(t.organizationId, t.type)],
);

export const ssoAuthRequest = pgTable(
  "sso_auth_request",
  {
    id: id(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => ssoProvider.id, { onDelete: "cascade" }),
    stateHash: text("state_hash").notNull(),
    // OIDC only (a SAML request is its AuthnRequest id, kept as the state hash).
    codeVerifierEncrypted: text("code_verifier_encrypted"),
    nonce: text("nonce"),
    redirectUri: text("redirect_uri").notNull(),
    returnTo: text("return_to").notNull().default("/"),
    // A CLI sign-in: the CLI's loopback address, where the IdP's answer is forwarded for the CLI to redeem.
    cliRedirect: text("cli_redirect"),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("idx_sso_auth_request_state").on(t.stateHash),
    index("idx_sso_auth_request_expires").on(t.expiresAt),
  ],
);

export const ssoSamlAssertion = pgTable(
  "sso_saml_assertion",
  {
    id: id(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => ssoProvider.id, { onDelete: "cascade" }),
    // sha256 of the IdP's issuer and the assertion's ID: the IdP chooses the ID, so it is kept hashed.
    assertionHash: text("assertion_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("idx_sso_saml_assertion_hash").on(t.organizationId, t.assertionHash),
    index("idx_sso_saml_assertion_expires").on(t.expiresAt),
  ],
);
