// Reading an IdP's metadata: the entity id, the HTTP-Redirect SSO location and the signing certificates
// (not the encryption ones), every way a document can be unusable refused with SAML_METADATA_INVALID, and
// which URLs the server may fetch in production.
import { describe, expect, it } from "vitest";
import { idpMetadataXml } from "../../test/support/saml-idp.ts";
import { makeSamlKeys } from "../../test/support/saml-keys.ts";
import { ApiError } from "../errors.ts";
import { normalizeCertificate } from "./saml.ts";
import { parseIdpMetadata, urlProblem } from "./saml-metadata.ts";

const dev = { ENVIRONMENT: "test" } as const;
const prod = { ENVIRONMENT: "production" } as const;
const a = makeSamlKeys("meta-a").cert;
const b = makeSamlKeys("meta-b").cert;
const meta = (over: Partial<Parameters<typeof idpMetadataXml>[0]> = {}) =>
  idpMetadataXml({
    entityId: "https://idp.acme.com/saml",
    ssoUrl: "https://idp.acme.com/sso",
    certs: [a],
    ...over,
  });

async function refusal(env: typeof dev | typeof prod, xml: string): Promise<string> {
  const err = await parseIdpMetadata(env, xml).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe("SAML_METADATA_INVALID");
  return (err as ApiError).message;
}

describe("parseIdpMetadata", () => {
  it("reads the entity id, the HTTP-Redirect location and every signing certificate", async () => {
    const m = await parseIdpMetadata(prod, meta({ certs: [a, b] }));
    expect(m).toEqual({
      entityId: "https://idp.acme.com/saml",
      ssoUrl: "https://idp.acme.com/sso",
      certificates: [normalizeCertificate(a), normalizeCertificate(b)],
    });
  });
  it("finds the one IdP inside an EntitiesDescriptor, refuses two", async () => {
    const inner = meta().replace(/^<\?xml[^>]*\?>/, "");
    const one = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${inner}</md:EntitiesDescriptor>`;
    expect((await parseIdpMetadata(dev, one)).entityId).toBe("https://idp.acme.com/saml");
    const two = one.replace("</md:EntitiesDescriptor>", `${inner}</md:EntitiesDescriptor>`);
    expect(await refusal(dev, two)).toMatch(/2 identity providers/);
  });
  it("refuses garbage, a DOCTYPE, no IdP, no signing certificate, no HTTP-Redirect binding", async () => {
    expect(await refusal(dev, "not xml <<<")).toMatch(/well-formed/);
    expect(await refusal(dev, `<!DOCTYPE x [<!ENTITY e "boom">]>${meta()}`)).toMatch(/DOCTYPE/);
    expect(await refusal(dev, meta().replaceAll("IDPSSODescriptor", "SPSSODescriptor"))).toMatch(
      /no SAML 2.0/,
    );
    expect(await refusal(dev, meta({ certs: [] }))).toMatch(/no signing certificate/);
    expect(await refusal(dev, meta({ redirectBinding: false }))).toMatch(/HTTP-Redirect/);
    expect(await refusal(dev, meta({ entityId: "" }))).toMatch(/entityID/);
  });
  it("takes a plain-http SSO location only outside production", async () => {
    const http = meta({ ssoUrl: "http://idp.acme.com/sso" });
    expect((await parseIdpMetadata(dev, http)).ssoUrl).toBe("http://idp.acme.com/sso");
    expect(await refusal(prod, http)).toMatch(/https/);
  });
});

describe("urlProblem", () => {
  it("in production: https to a name or a public address only", () => {
    expect(urlProblem(prod, "https://login.microsoftonline.com/x/federationmetadata.xml")).toBeNull();
    expect(urlProblem(prod, "https://8.8.8.8/md")).toBeNull();
    for (const u of [
      "https://203.0.113.9/md",
      "https://127.0.0.1/md",
      "https://10.1.2.3/md",
      "https://169.254.169.254/latest",
      "https://[::1]/md",
      "https://[::ffff:192.168.1.1]/md",
      "https://localhost/md",
    ])
      expect(urlProblem(prod, u), u).not.toBeNull();
    expect(urlProblem(prod, "http://idp.acme.com/md")).toBe("only an https URL");
    expect(urlProblem(prod, "file:///etc/passwd")).toBe("only an https URL");
  });
  it("outside production: http and loopback too (the tests' IdP), never another scheme", () => {
    expect(urlProblem(dev, "http://127.0.0.1:8080/md")).toBeNull();
    expect(urlProblem(dev, "ftp://idp/md")).toBe("only an https URL");
    expect(urlProblem(dev, "nope")).toBe("not a URL");
  });
});
