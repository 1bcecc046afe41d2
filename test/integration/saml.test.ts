// SAML 2.0 single sign-on through the Worker in workerd, against Responses a test IdP signs with xml-crypto
// (test/support/saml-idp.ts; keys made by openssl in the global setup): the provider's configuration and
// SP metadata, an SP-initiated sign-in end to end (the AuthnRequest, the ACS, a just-in-time user with the
// role its group maps to), and the IdP's metadata imported. Every refusal: saml-refusals.test.ts.

import { exports } from "cloudflare:workers";
import { inflateRawSync } from "node:zlib";
import { describe, expect, inject, it } from "vitest";
import { type Client, userWithRole } from "../support/api.ts";
import { idpMetadataXml, samlResponse } from "../support/saml-idp.ts";
import { type AuditRows, answer, IDP, keys, post, samlOrg, start } from "./saml-fixtures.ts";

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
