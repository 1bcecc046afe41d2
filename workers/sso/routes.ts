// /api/sso: the organization's single sign-on providers (OIDC, SAML), managed by settings:manage (create,
// change, remove, test) and the presets the console offers. The client secret is write-only everywhere.
import { Permission } from "@nostromo/permissions";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { platformHosts, subdomainOf } from "../tenancy/resolver.ts";
import type { SamlSp } from "./saml.ts";
import { fetchMetadata, parseIdpMetadata } from "./saml-metadata.ts";
import {
  SamlIdpMetadata,
  SamlMetadataImport,
  SsoPresetList,
  SsoProvider,
  SsoProviderCreate,
  SsoProviderList,
  SsoProviderPatch,
  SsoTestResult,
} from "./schemas.ts";
import {
  changeProvider,
  createProvider,
  getProvider,
  listProviders,
  presentProvider,
  presetList,
  removeProvider,
  type SpEndpoints,
  testProvider,
} from "./service.ts";

const TAG = "Single sign-on";
const ADMIN = "settings:manage";

/**
 * The redirect URI on the tenant's host. A tenant named by subdomain needs nothing more; one named by
 * X-Tenant-ID or ?tenantId= (development, tests) carries ?tenantId= so the IdP's redirect finds it again.
 */
export function callbackUrl(c: Context<AppEnv>, tenantId: string): string {
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  const viaSubdomain = subdomainOf(host, platformHosts(c.env)) !== null;
  return `${url.protocol}//${host}/api/auth/sso/callback${viaSubdomain ? "" : `?tenantId=${tenantId}`}`;
}

/** This tenant's SAML service provider: its entity id (the metadata URL) and its ACS URL, on its host. */
export function samlSp(c: Context<AppEnv>, tenantId: string): SamlSp {
  const base = callbackUrl(c, tenantId).replace("/api/auth/sso/callback", "/api/auth/sso/saml");
  const [path, query] = base.split("?");
  const suffix = query ? `?${query}` : "";
  return { entityId: `${path}/metadata${suffix}`, acsUrl: `${path}/acs${suffix}` };
}

const endpoints = (c: Context<AppEnv>, tenantId: string): SpEndpoints => ({
  callback: callbackUrl(c, tenantId),
  sp: samlSp(c, tenantId),
});

export const ssoRoutes = new Hono<AppEnv>()
  .get(
    "/presets",
    op({
      tag: TAG,
      summary: "The provider presets (Okta, Entra ID, Google Workspace, generic)",
      access: ADMIN,
      responses: { 200: SsoPresetList },
      errors: ["FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    (c) => c.json({ data: presetList() }),
  )
  .get(
    "/providers",
    op({
      tag: TAG,
      summary: "The organization's single sign-on providers",
      access: ADMIN,
      responses: { 200: SsoProviderList },
      errors: ["FORBIDDEN"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const ctx = requestTenant(c);
      const rows = await listProviders(ctx);
      return c.json({ data: rows.map((r) => presentProvider(r, endpoints(c, ctx.tenant.id))) });
    },
  )
  .post(
    "/providers",
    op({
      tag: TAG,
      summary: "Add the organization's OIDC provider or SAML IdP",
      description:
        "OIDC: the preset fills the issuer (Google), scopes, email claim and role claim unless given; the " +
        "client secret is encrypted and never answered. SAML (`type: saml`): the IdP's entity id, SSO " +
        "URL and signing certificate; the answer's `saml` gives the ACS and metadata URLs to register at " +
        "the IdP. 409 CONFLICT when one of that type exists. Disabled unless `enabled` is true.",
      access: ADMIN,
      body: SsoProviderCreate,
      responses: { 201: SsoProvider },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "CONFLICT"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const ctx = requestTenant(c);
      const row = await createProvider(ctx, await readJson(c, SsoProviderCreate));
      return c.json(presentProvider(row, endpoints(c, ctx.tenant.id)), 201);
    },
  )
  .get(
    "/providers/:id",
    op({
      tag: TAG,
      summary: "One single sign-on provider",
      access: ADMIN,
      responses: { 200: SsoProvider },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const ctx = requestTenant(c);
      return c.json(presentProvider(await getProvider(ctx, idParam(c)), endpoints(c, ctx.tenant.id)));
    },
  )
  .patch(
    "/providers/:id",
    op({
      tag: TAG,
      summary: "Change the single sign-on provider",
      description: "A `client_secret` replaces the stored one; omitted, the stored one stays.",
      access: ADMIN,
      body: SsoProviderPatch,
      responses: { 200: SsoProvider },
      errors: ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const ctx = requestTenant(c);
      const id = idParam(c);
      const row = await changeProvider(ctx, id, await readJson(c, SsoProviderPatch));
      return c.json(presentProvider(row, endpoints(c, ctx.tenant.id)));
    },
  )
  .delete(
    "/providers/:id",
    op({
      tag: TAG,
      summary: "Remove the single sign-on provider",
      access: ADMIN,
      responses: { 200: z.object({ deleted: z.literal(true) }) },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      await removeProvider(requestTenant(c), idParam(c));
      return c.json({ deleted: true as const });
    },
  )
  .post(
    "/providers/:id/test",
    op({
      tag: TAG,
      summary: "Test the provider: OpenID discovery against its issuer",
      description: "Answers 200 with ok false and the reason when discovery fails.",
      access: ADMIN,
      responses: { 200: SsoTestResult },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => c.json(await testProvider(requestTenant(c), idParam(c))),
  )
  .post(
    "/saml-metadata",
    op({
      tag: TAG,
      summary: "Read a SAML IdP's metadata (pasted XML or its URL) into provider fields",
      description:
        "Parses the EntityDescriptor: its entityID, the HTTP-Redirect SingleSignOnService location and the " +
        "signing certificates, answered as `idp_entity_id`, `sso_url` and `idp_certificate` for creating " +
        "or changing the SAML provider (nothing is saved). A URL is fetched by the server: https only " +
        "outside development, no private or loopback addresses, at most 3 redirects, 10 s and 512 KiB. " +
        "400 SAML_METADATA_INVALID when the document is not one IdP's usable metadata; 422 " +
        "SAML_METADATA_UNREACHABLE when the URL cannot be read (the message says why, never what it answered).",
      access: ADMIN,
      body: SamlMetadataImport,
      responses: { 200: SamlIdpMetadata },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "SAML_METADATA_INVALID", "SAML_METADATA_UNREACHABLE"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const b = await readJson(c, SamlMetadataImport);
      const xml = b.metadata_xml ?? (await fetchMetadata(c.env, b.metadata_url ?? ""));
      const m = await parseIdpMetadata(c.env, xml);
      return c.json({
        idp_entity_id: m.entityId,
        sso_url: m.ssoUrl,
        idp_certificate: m.certificates.join("\n"),
        certificate_count: m.certificates.length,
      });
    },
  );
