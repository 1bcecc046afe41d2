// SAML 2.0 single sign-on through the Worker in workerd, against Responses a test IdP signs with xml-crypto
// (test/support/saml-idp.ts; keys made by openssl in the global setup): the provider's configuration and
// SP metadata, an SP-initiated sign-in end to end (the AuthnRequest, the ACS, a just-in-time user with the
// role its group maps to), and every refusal — a stranger's signature, another audience, an expired
// assertion, a replayed one, an unsolicited or unknown InResponseTo, another Destination or Recipient, a
// signature-wrapping attempt — each sends the browser back to the console's sign-in page with the message
// and its stable reason (as the OIDC callback does, never a JSON page), audited, and no login.

import { exports } from "cloudflare:workers";
import { inflateRawSync } from "node:zlib";
import { describe, expect, inject, it } from "vitest";
import {
  Client,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  superAdmin,
  tenantClient,
  unique,
  uniqueIp,
  userWithRole,
} from "../support/api.ts";
import {
  assertionXml,
  base64Xml,
  idpMetadataXml,
  responseXml,
  type SamlAnswer,
  samlId,
  samlResponse,
  signElement,
} from "../support/saml-idp.ts";

type Saml = { idp_entity_id: string; sp_entity_id: string; acs_url: string; metadata_url: string };
type Provider = { id: string; type: string; redirect_uri: string; saml: Saml };
type AuditRows = { data: { event_type: string; action: string; metadata: Record<string, unknown> }[] };

const IDP = "https://idp.example.test/saml";
const keys = () => inject("samlKeys");

interface Org {
  t: ProvisionedTenant;
  admin: Client;
  provider: Provider;
  roles: { technician: string; observer: string };
}

async function samlOrg(): Promise<Org> {
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
async function start(org: Org) {
  const app = new Client(`${org.t.subdomain}.localhost`, uniqueIp());
  const r = await app.post<{ authorization_url: string }>("/api/auth/sso/start", {
    provider_id: org.provider.id,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const requestId = /sso_saml=([^;]+)/.exec(app.lastSetCookie ?? "")?.[1] ?? "";
  expect(app.lastSetCookie).toMatch(/SameSite=None/i);
  return { app, requestId, url: new URL(r.body.authorization_url) };
}

function answer(org: Org, requestId: string | undefined, over: Partial<SamlAnswer> = {}): SamlAnswer {
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
async function post(app: Client, acsUrl: string, samlResponseB64: string, requestId: string | null) {
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

async function refusedAs(org: Org, a: SamlAnswer | string, requestId: string | null, reason: string) {
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

describe("the SAML provider's configuration", () => {
  it("answers the SP's entity id, ACS and metadata; refuses a certificate that is not one", async () => {
    const org = await samlOrg();
    const base = `http://${org.t.subdomain}.localhost/api/auth/sso/saml`;
    expect(org.provider).toMatchObject({
      type: "saml",
      redirect_uri: `${base}/acs`,
      saml: { idp_entity_id: IDP, sp_entity_id: `${base}/metadata`, acs_url: `${base}/acs` },
    });
    const meta = await exports.default.fetch(`${base}/metadata`);
    expect(meta.headers.get("content-type")).toContain("application/samlmetadata+xml");
    const xml = await meta.text();
    expect(xml).toContain(`entityID="${base}/metadata"`);
    expect(xml).toContain(`Location="${base}/acs"`);
    const bad = await org.admin.patch(`/api/sso/providers/${org.provider.id}`, {
      idp_certificate: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----",
    });
    expect(bad.status).toBe(400);
    const oidcField = await org.admin.patch(`/api/sso/providers/${org.provider.id}`, { client_id: "x" });
    expect(oidcField.status).toBe(400);
    const dup = await org.admin.post("/api/sso/providers", {
      type: "saml",
      preset: "generic",
      idp_entity_id: IDP,
      sso_url: "https://idp.example.test/sso",
      idp_certificate: keys().trusted.cert,
      default_role_id: org.roles.observer,
    });
    expect(dup.status).toBe(409);
    const test = await org.admin.post<{ ok: boolean }>(`/api/sso/providers/${org.provider.id}/test`);
    expect(test.body.ok).toBe(true);
  });
});

describe("a SAML sign-in", () => {
  it("sends an AuthnRequest, accepts the signed answer, creates the person with the mapped role", async () => {
    const org = await samlOrg();
    const s = await start(org);
    expect(s.url.origin + s.url.pathname).toBe("https://idp.example.test/saml/sso");
    const request = inflateRawSync(
      Buffer.from(s.url.searchParams.get("SAMLRequest") ?? "", "base64"),
    ).toString();
    expect(request).toContain(`ID="${s.requestId}"`);
    expect(request).toContain(`AssertionConsumerServiceURL="${org.provider.saml.acs_url}"`);
    expect(request).toContain(`>${org.provider.saml.sp_entity_id}</saml:Issuer>`);

    const a = answer(org, s.requestId);
    const r = await post(s.app, org.provider.saml.acs_url, samlResponse(a), s.requestId);
    expect(r.status, JSON.stringify(r.body)).toBe(303);
    expect(r.location).toBe("/");
    const me = await s.app.get<{ principal: { email: string; role_name: string } }>("/api/auth/me");
    expect(me.body.principal).toMatchObject({ email: a.email, role_name: "Technician" });
    const audit = await org.admin.get<AuditRows>("/api/audit?page_size=200");
    const login = audit.body.data.find((e) => e.action === "login" && e.metadata.method === "sso");
    expect(login?.metadata).toMatchObject({ provider_id: org.provider.id, jit_created: true });
    expect(audit.body.data.some((e) => e.action === "jit_create")).toBe(true);
  });

  it("accepts a Response signed as a whole (the assertion unsigned)", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const r = await post(
      s.app,
      org.provider.saml.acs_url,
      samlResponse(answer(org, s.requestId, { sign: "response" })),
      s.requestId,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(303);
  });
});

describe("a SAML answer is refused (back to the sign-in page with the reason, audited, no login)", () => {
  it("when signed by a key the organization does not trust, or changed after signing", async () => {
    const org = await samlOrg();
    const s = await start(org);
    await refusedAs(org, answer(org, s.requestId, { keys: keys().stranger }), s.requestId, "signature");
    const s2 = await start(org);
    const good = answer(org, s2.requestId);
    const signed = signElement(assertionXml(good), "Assertion", good.keys);
    const tampered = responseXml(good, signed.replace(good.email, `boss-${good.email}`));
    await refusedAs(org, base64Xml(tampered), s2.requestId, "signature");
  });

  it("when the audience is another service", async () => {
    const org = await samlOrg();
    const s = await start(org);
    await refusedAs(
      org,
      answer(org, s.requestId, { audience: "https://other.example/sp" }),
      s.requestId,
      "audience",
    );
  });

  it("when the assertion has expired (beyond the clock skew) or is not valid yet", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const past = {
      notBefore: new Date(Date.now() - 20 * 60_000),
      notOnOrAfter: new Date(Date.now() - 5 * 60_000),
    };
    await refusedAs(org, answer(org, s.requestId, past), s.requestId, "time_window");
    const s2 = await start(org);
    const future = {
      notBefore: new Date(Date.now() + 10 * 60_000),
      notOnOrAfter: new Date(Date.now() + 20 * 60_000),
    };
    await refusedAs(org, answer(org, s2.requestId, future), s2.requestId, "time_window");
  });

  it("when an assertion already accepted is presented again, even wrapped in a fresh Response", async () => {
    const org = await samlOrg();
    const s = await start(org);
    // An IdP that does not repeat InResponseTo in the subject: only the (unsigned) Response names it.
    const first = answer(org, s.requestId, { subjectInResponseTo: false });
    const signed = signElement(assertionXml(first), "Assertion", first.keys);
    const ok = await post(
      s.app,
      org.provider.saml.acs_url,
      base64Xml(responseXml(first, signed)),
      s.requestId,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(303);
    // The same bytes again: the request is used up.
    await refusedAs(org, base64Xml(responseXml(first, signed)), s.requestId, "in_response_to");
    // The signed assertion re-wrapped to answer a request the attacker started: the assertion id is used.
    const s2 = await start(org);
    const replay = responseXml({ ...first, inResponseTo: s2.requestId }, signed);
    await refusedAs(org, base64Xml(replay), s2.requestId, "replayed");
  });

  it("when unsolicited, answering an unknown request, or one another browser started", async () => {
    const org = await samlOrg();
    await refusedAs(org, answer(org, undefined), null, "in_response_to");
    const s = await start(org);
    await refusedAs(org, answer(org, samlId()), s.requestId, "in_response_to");
    const other = await start(org);
    await refusedAs(org, answer(org, other.requestId), null, "in_response_to");
    const mine = await start(org);
    await refusedAs(org, answer(org, other.requestId), mine.requestId, "in_response_to");
  });

  it("when the Destination, the Recipient or the issuer is not ours", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const elsewhere = answer(org, s.requestId);
    const signed = signElement(assertionXml(elsewhere), "Assertion", elsewhere.keys);
    const moved = responseXml({ ...elsewhere, acsUrl: "https://evil.example/acs" }, signed);
    await refusedAs(org, base64Xml(moved), s.requestId, "destination");
    const s2 = await start(org);
    const recipient = answer(org, s2.requestId);
    const wrongRecipient = signElement(
      assertionXml({ ...recipient, acsUrl: "https://evil.example/acs" }),
      "Assertion",
      recipient.keys,
    );
    await refusedAs(org, base64Xml(responseXml(recipient, wrongRecipient)), s2.requestId, "recipient");
    const s3 = await start(org);
    await refusedAs(
      org,
      answer(org, s3.requestId, { idpEntityId: "https://evil.example/idp" }),
      s3.requestId,
      "issuer",
    );
  });

  it("when a forged assertion wraps the genuine signed one (XML signature wrapping)", async () => {
    const org = await samlOrg();
    const s = await start(org);
    const genuine = answer(org, s.requestId);
    const signed = signElement(assertionXml(genuine), "Assertion", genuine.keys);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>|<Signature[\s\S]*<\/Signature>/.exec(signed)?.[0];
    expect(signature).toBeTruthy();
    // The forged assertion keeps the genuine one's ID and signature; the genuine assertion hides inside it.
    const id = /ID="([^"]+)"/.exec(signed)?.[1] ?? "";
    const forged = assertionXml({ ...genuine, email: `admin-${genuine.email}`, assertionId: id }).replace(
      "</saml:Issuer>",
      `</saml:Issuer>${signature}<saml:Advice>${signed}</saml:Advice>`,
    );
    await refusedAs(org, base64Xml(responseXml(genuine, forged)), s.requestId, "signature");
    // And the forged one beside the genuine one: two assertions are never read.
    const s2 = await start(org);
    const two = responseXml({ ...genuine, inResponseTo: s2.requestId }, `${forged}${signed}`);
    await refusedAs(org, base64Xml(two), s2.requestId, "signature");
  });

  it("when the form post carries no SAMLResponse (400, not a 500)", async () => {
    const org = await samlOrg();
    const res = await exports.default.fetch(org.provider.saml.acs_url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "RelayState=x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
  });
});

describe("the IdP's metadata, imported (pasted or by URL)", () => {
  type Imported = {
    idp_entity_id: string;
    sso_url: string;
    idp_certificate: string;
    certificate_count: number;
  };
  const importIt = (admin: Client, body: Record<string, unknown>) =>
    admin.post<Imported & { error: { code: string } }>("/api/sso/saml-metadata", body);
  const meta = (certs: string[]) =>
    idpMetadataXml({ entityId: IDP, ssoUrl: "https://idp.example.test/saml/sso", certs });

  it("fills the provider's fields from pasted XML; a sign-in then checks signatures with that certificate", async () => {
    const org = await samlOrg();
    const r = await importIt(org.admin, { metadata_xml: meta([keys().trusted.cert, keys().stranger.cert]) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ idp_entity_id: IDP, sso_url: "https://idp.example.test/saml/sso" });
    expect(r.body.certificate_count).toBe(2);
    const changed = await org.admin.patch(`/api/sso/providers/${org.provider.id}`, {
      idp_certificate: r.body.idp_certificate,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    // Either certificate of a rollover verifies.
    const s = await start(org);
    const ok = await post(
      s.app,
      org.provider.saml.acs_url,
      samlResponse(answer(org, s.requestId, { keys: keys().stranger })),
      s.requestId,
    );
    expect(ok.status, ok.location ?? "").toBe(303);
    expect(ok.location).toBe("/");
  });

  it("refuses metadata without a signing certificate, and garbage, with SAML_METADATA_INVALID", async () => {
    const org = await samlOrg();
    const noCert = await importIt(org.admin, { metadata_xml: meta([]) });
    expect(noCert.status).toBe(400);
    expect(noCert.body.error.code).toBe("SAML_METADATA_INVALID");
    const garbage = await importIt(org.admin, { metadata_xml: "<<< this is not metadata" });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe("SAML_METADATA_INVALID");
    const both = await importIt(org.admin, { metadata_xml: meta([]), metadata_url: "https://x.test/md" });
    expect(both.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("fetches a URL the IdP serves (following a redirect), refuses another scheme, a huge or missing one", async () => {
    const org = await samlOrg();
    const base = inject("samlMetadataBase");
    for (const path of ["/metadata", "/moved"]) {
      const r = await importIt(org.admin, { metadata_url: `${base}${path}` });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ idp_entity_id: IDP, certificate_count: 1 });
    }
    const refused = { "/to-file": /refused address/, "/huge": /512 KiB/, "/missing": /answered 404/ };
    for (const [path, why] of Object.entries(refused)) {
      const r = await importIt(org.admin, { metadata_url: `${base}${path}` });
      expect(r.status, path).toBe(422);
      expect(r.body.error).toMatchObject({
        code: "SAML_METADATA_UNREACHABLE",
        message: expect.stringMatching(why),
      });
    }
    const ftp = await importIt(org.admin, { metadata_url: "ftp://idp.example.test/md" });
    expect(ftp.body.error.code).toBe("VALIDATION_ERROR");
    const observer = await userWithRole(org.t, org.admin, "Observer");
    const denied = await observer.client.post("/api/sso/saml-metadata", { metadata_url: `${base}/metadata` });
    expect(denied.status).toBe(403);
  });
});
