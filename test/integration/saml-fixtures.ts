// SAML sign-in fixtures for the workers tests: a tenant with a SAML provider that trusts the test IdP's
// key (test/support/saml-idp.ts), a sign-in started in a fresh browser, the IdP's answer, the browser's
// form post to the ACS, and the check that an answer was refused (back to the sign-in page, audited).
import { exports } from "cloudflare:workers";
import { expect, inject } from "vitest";
import {
  Client,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  superAdmin,
  tenantClient,
  unique,
  uniqueIp,
} from "../support/api.ts";
import { type SamlAnswer, samlResponse } from "../support/saml-idp.ts";

export type Saml = { idp_entity_id: string; sp_entity_id: string; acs_url: string; metadata_url: string };
export type Provider = { id: string; type: string; redirect_uri: string; saml: Saml };
export type AuditRows = { data: { event_type: string; action: string; metadata: Record<string, unknown> }[] };

export const IDP = "https://idp.example.test/saml";
export const keys = () => inject("samlKeys");

export interface Org {
  t: ProvisionedTenant;
  admin: Client;
  provider: Provider;
  roles: { technician: string; observer: string };
}

export async function samlOrg(): Promise<Org> {
  const t = await provision(await superAdmin());
  const admin = await tenantClient(t);
  expect((await admin.patch("/api/settings", { domain: "example.com" })).status).toBe(200);
  const roles = {
    technician: await roleIdOf(admin, "Technician"),
    observer: await roleIdOf(admin, "Observer"),
  };
  const r = await admin.post<Provider>("/api/sso/providers", {
    type: "saml",
    preset: "generic",
    display_name: "Test SAML",
    idp_entity_id: IDP,
    sso_url: "https://idp.example.test/saml/sso",
    idp_certificate: keys().trusted.cert,
    role_mapping: [{ value: "ops", role_id: roles.technician }],
    default_role_id: roles.observer,
    enabled: true,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { t, admin, provider: r.body, roles };
}

/** Starts a SAML sign-in in a fresh browser: its client, the request id (cookie) and the IdP URL. */
export async function start(org: Org) {
  const app = new Client(`${org.t.subdomain}.localhost`, uniqueIp());
  const r = await app.post<{ authorization_url: string }>("/api/auth/sso/start", {
    provider_id: org.provider.id,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const requestId = /sso_saml=([^;]+)/.exec(app.lastSetCookie ?? "")?.[1] ?? "";
  expect(app.lastSetCookie).toMatch(/SameSite=None/i);
  return { app, requestId, url: new URL(r.body.authorization_url) };
}

export function answer(org: Org, requestId: string | undefined, over: Partial<SamlAnswer> = {}): SamlAnswer {
  return {
    keys: keys().trusted,
    idpEntityId: IDP,
    audience: org.provider.saml.sp_entity_id,
    acsUrl: org.provider.saml.acs_url,
    inResponseTo: requestId,
    email: `${unique("saml").toLowerCase()}@example.com`,
    attributes: { groups: ["ops"] },
    ...over,
  };
}

/** The browser's form post to the ACS, with its sso_saml cookie; a login's sid is kept in `app`. */
export async function post(app: Client, acsUrl: string, samlResponseB64: string, requestId: string | null) {
  const url = new URL(acsUrl);
  const res = await exports.default.fetch(`http://${app.host}${url.pathname}${url.search}`, {
    method: "POST",
    headers: {
      "cf-connecting-ip": app.ip,
      "content-type": "application/x-www-form-urlencoded",
      ...(requestId ? { cookie: `sso_saml=${requestId}` } : {}),
    },
    body: new URLSearchParams({ SAMLResponse: samlResponseB64, RelayState: "" }).toString(),
    redirect: "manual",
  });
  const sid = /(?:^|,\s*)sid=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (sid) app.cookie = sid;
  const body = res.status === 303 ? null : ((await res.json()) as { error: { code: string } });
  if (res.status === 303) await res.body?.cancel();
  return { status: res.status, location: res.headers.get("location"), body };
}

export async function refusedAs(org: Org, a: SamlAnswer | string, requestId: string | null, reason: string) {
  const app = new Client(`${org.t.subdomain}.localhost`, uniqueIp());
  const r = await post(
    app,
    org.provider.saml.acs_url,
    typeof a === "string" ? a : samlResponse(a),
    requestId,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(303);
  const back = new URL(r.location ?? "", "http://tenant.test");
  expect(back.pathname).toBe("/");
  expect(back.searchParams.get("sso_reason")).toBe(reason);
  expect(back.searchParams.get("sso_error")).toBeTruthy();
  expect(app.cookie).toBeNull();
  const failed = await org.admin.get<AuditRows>("/api/audit?page_size=200&event_type=user.login.failed");
  expect(JSON.stringify(failed.body.data)).toContain(`sso: saml ${reason}`);
}
