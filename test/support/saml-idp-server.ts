// The browser test's SAML identity provider: a loopback HTTP server whose SSO URL takes the service
// provider's AuthnRequest (HTTP-Redirect binding: deflated, base64) and answers the IdP's own page — a
// "Sign in" button that posts the signed Response (test/support/saml-idp.ts) to the ACS URL the request
// names, as Keycloak or Entra ID do after their login form; and its metadata at /metadata (its entity id).
// One person, configured by the test (read at each request: a test may change them).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inflateRawSync } from "node:zlib";
import { idpMetadataXml, type SamlKeys, samlResponse } from "./saml-idp.ts";

const attr = (xml: string, name: string) => new RegExp(`\\b${name}="([^"]+)"`).exec(xml)?.[1] ?? "";
const html = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export async function startSamlIdp(o: {
  keys: SamlKeys;
  person: { email: string; groups: string[] };
}): Promise<{ entityId: string; ssoUrl: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/metadata")
      return void res
        .writeHead(200, { "content-type": "application/samlmetadata+xml" })
        .end(idpMetadataXml({ entityId, ssoUrl: `${base}/sso`, certs: [o.keys.cert] }));
    const encoded = url.searchParams.get("SAMLRequest");
    if (url.pathname !== "/sso" || !encoded) return void res.writeHead(404).end();
    const request = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
    const acsUrl = attr(request, "AssertionConsumerServiceURL");
    const audience = /<(?:saml:)?Issuer[^>]*>([^<]+)</.exec(request)?.[1] ?? "";
    const answer = samlResponse({
      keys: o.keys,
      idpEntityId: entityId,
      audience,
      acsUrl,
      inResponseTo: attr(request, "ID"),
      email: o.person.email,
      attributes: { groups: o.person.groups },
    });
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(
        `<!doctype html><title>Test SAML IdP</title><form method="post" action="${html(acsUrl)}">` +
          `<input type="hidden" name="SAMLResponse" value="${answer}">` +
          `<input type="hidden" name="RelayState" value="${html(url.searchParams.get("RelayState") ?? "")}">` +
          `<button type="submit">Sign in as ${html(o.person.email)}</button></form>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${base}/metadata`;
  return {
    entityId,
    ssoUrl: `${base}/sso`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
