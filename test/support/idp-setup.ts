// Starts the SSO tests' OpenID Provider (test/support/oidc-idp.ts) for the `workers` project and hands its
// issuer to the tests in workerd, which reach it over loopback HTTP like the Worker does; makes the SAML
// IdP's signing keys (a trusted one and a stranger's), which the tests sign responses with; and serves that
// IdP's metadata on loopback for the metadata import (also a redirect to it, one to another scheme, an
// oversized document and a 404).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { startIdp } from "./oidc-idp.ts";
import { idpMetadataXml, type SamlKeys } from "./saml-idp.ts";
import { makeSamlKeys } from "./saml-keys.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    samlKeys: { trusted: SamlKeys; stranger: SamlKeys };
    /** Base URL of the loopback server: /metadata, /moved, /to-file, /huge, /missing. */
    samlMetadataBase: string;
  }
}

const METADATA_IDP = {
  entityId: "https://idp.example.test/saml",
  ssoUrl: "https://idp.example.test/saml/sso",
};

async function serveMetadata(cert: string) {
  const xml = idpMetadataXml({ ...METADATA_IDP, certs: [cert] });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/metadata") res.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(xml);
    else if (path === "/moved") res.writeHead(302, { location: "/metadata" }).end();
    else if (path === "/to-file") res.writeHead(302, { location: "file:///etc/passwd" }).end();
    else if (path === "/huge")
      res.writeHead(200, { "content-type": "text/xml" }).end(xml.padEnd(600 * 1024, " "));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export default async function setup(project: TestProject) {
  const idp = await startIdp();
  const keys = { trusted: makeSamlKeys("test-idp"), stranger: makeSamlKeys("stranger-idp") };
  const metadata = await serveMetadata(keys.trusted.cert);
  project.provide("oidcIssuer", idp.issuer);
  project.provide("samlKeys", keys);
  project.provide("samlMetadataBase", metadata.base);
  return async () => {
    await metadata.close();
    await idp.close();
  };
}
