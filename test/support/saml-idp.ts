// The SSO tests' SAML identity provider: builds the Response an IdP posts to a service provider's ACS —
// Issuer, Status, one Assertion (NameID, bearer SubjectConfirmation, Conditions with the audience,
// AuthnStatement, attributes) — and signs the Assertion or the whole Response with xml-crypto
// (RSA-SHA256, exclusive C14N), as Keycloak, Entra ID or Okta do. Every field can be bent by a test (wrong
// audience, expired, another InResponseTo, another key). Plain strings and xml-crypto only: runs inside
// workerd (the integration tests) and in Node (the browser test's IdP server) alike.
import { SignedXml } from "xml-crypto";

export interface SamlKeys {
  /** PKCS#8 PEM private key. */
  key: string;
  /** The matching self-signed X.509 certificate, PEM. */
  cert: string;
}

export interface SamlAnswer {
  keys: SamlKeys;
  idpEntityId: string;
  /** The SP's entity id: the Audience. */
  audience: string;
  /** The ACS URL: the Response's Destination and the bearer confirmation's Recipient. */
  acsUrl: string;
  /** The AuthnRequest answered (absent: an unsolicited response). */
  inResponseTo?: string;
  /** Whether the bearer confirmation repeats InResponseTo (most IdPs do). */
  subjectInResponseTo?: boolean;
  email: string;
  attributes?: Record<string, string[]>;
  authnContext?: string;
  /** Validity window; default: from one minute ago to five minutes from now. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  assertionId?: string;
  sign?: "assertion" | "response";
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export const samlId = () => `_${crypto.randomUUID().replaceAll("-", "")}`;

/** The Assertion element alone, unsigned. */
export function assertionXml(a: SamlAnswer): string {
  const now = new Date();
  const notBefore = (a.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
  const notOnOrAfter = (a.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const irt =
    a.inResponseTo && a.subjectInResponseTo !== false ? ` InResponseTo="${esc(a.inResponseTo)}"` : "";
  const attributes = Object.entries({ email: [a.email], ...a.attributes })
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${esc(name)}">${values
          .map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`)
          .join("")}</saml:Attribute>`,
    )
    .join("");
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${a.assertionId ?? samlId()}" ` +
    `Version="2.0" IssueInstant="${now.toISOString()}">` +
    `<saml:Issuer>${esc(a.idpEntityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(a.email)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(a.acsUrl)}"${irt}/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(a.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${samlId()}"><saml:AuthnContext>` +
    `<saml:AuthnContextClassRef>${esc(a.authnContext ?? "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")}</saml:AuthnContextClassRef>` +
    `</saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

/** Signs the element `localName` (its Signature placed after its Issuer, as the schema wants). */
export function signElement(xml: string, localName: "Assertion" | "Response", keys: SamlKeys): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  sig.addReference({
    xpath: `//*[local-name(.)='${localName}']`,
    transforms: [
      "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
      "http://www.w3.org/2001/10/xml-exc-c14n#",
    ],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  });
  sig.computeSignature(xml, {
    location: {
      reference: `//*[local-name(.)='${localName}']/*[local-name(.)='Issuer']`,
      action: "after",
    },
  });
  return sig.getSignedXml();
}

/** Wraps an Assertion (signed or not) in a Response. */
export function responseXml(a: SamlAnswer, assertion: string): string {
  const irt = a.inResponseTo ? ` InResponseTo="${esc(a.inResponseTo)}"` : "";
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ` +
    `xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${samlId()}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}" Destination="${esc(a.acsUrl)}"${irt}>` +
    `<saml:Issuer>${esc(a.idpEntityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${assertion}</samlp:Response>`
  );
}

const b64 = (xml: string) => btoa(String.fromCharCode(...new TextEncoder().encode(xml)));

/** The base64 SAMLResponse an IdP posts, signed as `a.sign` says (the assertion by default). */
export function samlResponse(a: SamlAnswer): string {
  const assertion = assertionXml(a);
  if (a.sign === "response") return b64(signElement(responseXml(a, assertion), "Response", a.keys));
  return b64(responseXml(a, signElement(assertion, "Assertion", a.keys)));
}

export { b64 as base64Xml };

/** The IdP's metadata (an EntityDescriptor), as Keycloak or Entra ID publish it; `certs` may be empty. */
export function idpMetadataXml(o: {
  entityId: string;
  ssoUrl: string;
  certs: string[];
  redirectBinding?: boolean;
}): string {
  const body = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const keys = o.certs
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(c)}` +
        `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join("");
  const binding = "urn:oasis:names:tc:SAML:2.0:bindings";
  const redirect =
    o.redirectBinding === false
      ? ""
      : `<md:SingleSignOnService Binding="${binding}:HTTP-Redirect" Location="${esc(o.ssoUrl)}"/>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ` +
    `xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(o.entityId)}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `${keys}<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIencryption` +
    `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="${binding}:HTTP-POST" Location="${esc(o.ssoUrl)}/post"/>${redirect}` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}
