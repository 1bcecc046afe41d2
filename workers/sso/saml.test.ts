// The pure parts of the SAML service provider: the claims an assertion gives (email from the NameID,
// MFA from the authentication context) and the certificate check an admin's PEM goes through.
import type { Profile } from "@node-saml/node-saml";
import { describe, expect, it } from "vitest";
import { makeSamlKeys } from "../../test/support/saml-keys.ts";
import {
  newRequestId,
  normalizeCertificate,
  normalizeCertificates,
  samlClaims,
  splitCertificates,
} from "./saml.ts";

const profile = (over: Partial<Profile> = {}): Profile => ({
  issuer: "https://idp.example",
  nameID: "ann@acme.com",
  nameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  ...over,
});

describe("samlClaims", () => {
  it("takes the attributes, the NameID as sub and, for an emailAddress NameID, as the email", () => {
    const c = samlClaims(profile({ attributes: { groups: ["ops"], displayName: "Ann" } }), []);
    expect(c).toMatchObject({ sub: "ann@acme.com", email: "ann@acme.com", groups: ["ops"], name: "Ann" });
    expect(c.amr).toBeUndefined();
  });
  it("prefers an email attribute, and takes no email from a persistent NameID", () => {
    expect(samlClaims(profile({ attributes: { email: "bo@acme.com" } }), []).email).toBe("bo@acme.com");
    const persistent = profile({
      nameID: "x1",
      nameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    });
    expect(samlClaims(persistent, []).email).toBeUndefined();
  });
  it("says mfa for a multi-factor authentication context or Entra's authnmethodsreferences, not a password", () => {
    const pwd = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    expect(samlClaims(profile(), [pwd]).amr).toBeUndefined();
    expect(samlClaims(profile(), ["https://refeds.org/profile/mfa"]).amr).toEqual(["mfa"]);
    const entra = profile({
      attributes: {
        "http://schemas.microsoft.com/claims/authnmethodsreferences": [
          "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password",
          "http://schemas.microsoft.com/claims/multipleauthn",
        ],
      },
    });
    expect(samlClaims(entra, [pwd]).amr).toEqual(["mfa"]);
  });
});

describe("normalizeCertificate and newRequestId", () => {
  it("accepts a PEM certificate or its bare base64, refuses anything else", () => {
    const { cert } = makeSamlKeys("unit");
    const pem = normalizeCertificate(cert);
    expect(pem?.startsWith("-----BEGIN CERTIFICATE-----\nMI")).toBe(true);
    const bare = cert.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    expect(normalizeCertificate(bare)).toBe(pem);
    expect(normalizeCertificate("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----")).toBeNull();
    expect(normalizeCertificate("")).toBeNull();
  });
  it("takes one to four PEM certificates (a key rollover), nothing stray between them", () => {
    const a = makeSamlKeys("unit-a").cert;
    const b = makeSamlKeys("unit-b").cert;
    const both = normalizeCertificates(`${a}\n${b}`);
    expect(both).toHaveLength(2);
    expect(splitCertificates(both?.join("\n") ?? "")).toEqual(both);
    expect(normalizeCertificates(a)).toEqual([normalizeCertificate(a)]);
    expect(normalizeCertificates(`${a}\nnot a certificate\n${b}`)).toBeNull();
    expect(normalizeCertificates(Array(5).fill(a).join("\n"))).toBeNull();
    expect(normalizeCertificates("garbage")).toBeNull();
  });
  it("makes request ids that are XML NCNames and never repeat", () => {
    const ids = new Set(Array.from({ length: 50 }, newRequestId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^_[0-9a-f]{40}$/);
  });
});
