// The SAML 2.0 service provider, on @node-saml/node-saml (runs in workerd with nodejs_compat): the
// AuthnRequest URL (HTTP-Redirect binding), the SP metadata, and the checks an IdP's Response must pass.
// node-saml checks the XML signature (the Response's or the Assertion's, with signature-wrapping guards:
// one assertion, verified bytes only), the audience, the time window (NotBefore / NotOnOrAfter with a small
// skew) and InResponseTo (through a cache that knows only the request this browser started). It does not
// check the issuer of a login response, the Response's Destination, the bearer confirmation's Recipient,
// nor replay: those are checked here on the verified assertion, and replay by the caller with the
// assertion id this answers. Every refusal is a SamlRejected with a stable `kind`.
import { type CacheProvider, type Profile, SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import type { Claims } from "./claims.ts";
import { SsoFailure } from "./oidc.ts";
import { kids, parseXmlTree, type X } from "./xml-tree.ts";

export const SAML_CLOCK_SKEW_MS = 60_000;
const REQUEST_TTL_MS = 10 * 60 * 1000;

/** Our side: the entity id the IdP knows us by (our metadata URL) and where it posts its answer. */
export interface SamlSp {
  entityId: string;
  acsUrl: string;
}

export interface SamlIdp {
  entityId: string;
  ssoUrl: string;
  /** PEM of the IdP's signing certificates (several during a key rollover): a signature by any counts. */
  certificates: string[];
}

export const SAML_REJECTIONS = [
  "signature",
  "audience",
  "time_window",
  "in_response_to",
  "issuer",
  "destination",
  "recipient",
  "replayed",
  "idp_status",
  "malformed",
] as const;
export type SamlRejection = (typeof SAML_REJECTIONS)[number];

export class SamlRejected extends SsoFailure {
  constructor(
    readonly kind: SamlRejection,
    reason: string,
  ) {
    super(reason);
    this.name = "SamlRejected";
  }
}

const noCache: CacheProvider = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
};

function samlOf(sp: SamlSp, idp: SamlIdp, extra: { requestId?: string; cache?: CacheProvider } = {}) {
  return new SAML({
    callbackUrl: sp.acsUrl,
    issuer: sp.entityId,
    audience: sp.entityId,
    entryPoint: idp.ssoUrl,
    idpCert: idp.certificates,
    // Either the Response or the Assertion must carry a valid signature (node-saml then insists that the
    // assertion it reads is inside the verified bytes).
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: extra.cache ?? noCache,
    identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    disableRequestedAuthnContext: true,
    ...(extra.requestId ? { generateUniqueId: () => extra.requestId as string } : {}),
  });
}

/** A fresh AuthnRequest id: an XML NCName (it must not start with a digit). */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function samlAuthorizeUrl(sp: SamlSp, idp: SamlIdp, requestId: string): Promise<string> {
  return samlOf(sp, idp, { requestId }).getAuthorizeUrlAsync("", undefined, {});
}

export function samlMetadata(sp: SamlSp, idp: SamlIdp): string {
  return samlOf(sp, idp).generateServiceProviderMetadata(null, null);
}

/** Whether `pem` is one X.509 certificate (PEM or bare base64 of DER): the shape node-saml will verify with. */
export function normalizeCertificate(pem: string): string | null {
  const body = pem
    .replace(/-----BEGIN CERTIFICATE-----/, "")
    .replace(/-----END CERTIFICATE-----/, "")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length < 200 || body.length % 4 !== 0) return null;
  // DER: a SEQUENCE (0x30) with a long-form length.
  if (!body.startsWith("MI")) return null;
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----`;
}

const MAX_CERTIFICATES = 4;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * One to four certificates — PEM blocks one after the other, or one bare base64 body — as PEMs, or null
 * when anything in it is not a certificate. The column keeps them joined; `splitCertificates` reads them.
 */
export function normalizeCertificates(text: string): string[] | null {
  const pems = text.match(PEM_BLOCK) ?? [];
  if (pems.length > 0 && text.replace(PEM_BLOCK, "").trim()) return null;
  const blocks = pems.length > 0 ? pems : [text];
  if (blocks.length > MAX_CERTIFICATES) return null;
  const certs = blocks.map(normalizeCertificate);
  return certs.every((c): c is string => c !== null) ? certs : null;
}

export function splitCertificates(stored: string): string[] {
  return stored.match(PEM_BLOCK) ?? [];
}

export interface ValidatedAssertion {
  profile: Profile;
  assertionId: string;
  /** Until when the assertion could be presented again: its id is kept that long. */
  expiresAt: Date;
  authnContext: string[];
}

function kindOf(message: string): SamlRejection {
  if (/signature|Cannot obtain assertion/i.test(message)) return "signature";
  if (/audience/i.test(message)) return "audience";
  if (/not yet valid|expired|subject confirmation/i.test(message)) return "time_window";
  if (/InResponseTo/i.test(message)) return "in_response_to";
  if (/provider returned/i.test(message)) return "idp_status";
  return "malformed";
}

async function rootOf(xml: string): Promise<X> {
  const tree = await parseXmlTree(xml);
  if (!tree) throw new SamlRejected("malformed", "the XML does not parse");
  return tree.root;
}

/**
 * The InResponseTo the (unverified) Response names, or null: only to find where a CLI sign-in's answer goes
 * (the CLI then presents it, and it is checked in full); never trusted for anything else.
 */
export async function claimedInResponseTo(samlResponse: string): Promise<string | null> {
  try {
    const response = await rootOf(Buffer.from(samlResponse, "base64").toString("utf8"));
    return response.$?.InResponseTo ?? null;
  } catch {
    return null;
  }
}

/**
 * Validates the IdP's POSTed SAMLResponse (base64) for the request `requestId` that this browser started at
 * `issuedAt`: a validated assertion, or a SamlRejected saying why not.
 */
export async function validateSamlResponse(
  sp: SamlSp,
  idp: SamlIdp,
  samlResponse: string,
  request: { requestId: string; issuedAt: Date },
): Promise<ValidatedAssertion> {
  const cache: CacheProvider = {
    saveAsync: async () => null,
    getAsync: async (key) => (key === request.requestId ? request.issuedAt.toISOString() : null),
    removeAsync: async () => null,
  };
  let profile: Profile | null;
  try {
    ({ profile } = await samlOf(sp, idp, { cache }).validatePostResponseAsync({
      SAMLResponse: samlResponse,
    }));
  } catch (err) {
    if (err instanceof SamlRejected) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SamlRejected(kindOf(message), message.slice(0, 300));
  }
  if (!profile?.getAssertionXml) throw new SamlRejected("malformed", "the response carries no assertion");

  const response = await rootOf(Buffer.from(samlResponse, "base64").toString("utf8"));
  const destination = response.$?.Destination;
  if (destination && destination !== sp.acsUrl)
    throw new SamlRejected("destination", `the response is addressed to ${destination.slice(0, 200)}`);

  // What follows reads the assertion node-saml verified, never the unsigned envelope.
  const assertion = await rootOf(profile.getAssertionXml());
  if (profile.issuer !== idp.entityId)
    throw new SamlRejected("issuer", `the assertion's issuer is not ${idp.entityId}`);
  const assertionId = assertion.$?.ID;
  if (!assertionId) throw new SamlRejected("malformed", "the assertion has no ID");
  const bearer = kids(kids(assertion, "Subject")[0], "SubjectConfirmation").find(
    (s) => s.$?.Method === "urn:oasis:names:tc:SAML:2.0:cm:bearer",
  );
  const data = kids(bearer, "SubjectConfirmationData")[0];
  const recipient = data?.$?.Recipient;
  if (recipient !== sp.acsUrl)
    throw new SamlRejected("recipient", "the bearer confirmation's Recipient is not this service's ACS URL");
  const limits = [data?.$?.NotOnOrAfter, kids(assertion, "Conditions")[0]?.$?.NotOnOrAfter]
    .filter((v): v is string => Boolean(v))
    .map((v) => Date.parse(v))
    .filter((v) => Number.isFinite(v));
  if (limits.length === 0) throw new SamlRejected("time_window", "the assertion has no NotOnOrAfter");
  const expiresAt = new Date(Math.min(...limits) + SAML_CLOCK_SKEW_MS);
  const authnContext = kids(assertion, "AuthnStatement")
    .flatMap((a) => kids(a, "AuthnContext"))
    .flatMap((c) => kids(c, "AuthnContextClassRef"))
    .map((r) => (r._ ?? "").trim());
  return { profile, assertionId, expiresAt, authnContext };
}

/** AuthnContextClassRef values that mean more than one factor (SAML 2.0 classes, Entra ID, REFEDS). */
const MFA_CONTEXTS = new Set([
  "http://schemas.microsoft.com/claims/multipleauthn",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
  "https://refeds.org/profile/mfa",
]);
const ENTRA_AUTHN_METHODS = "http://schemas.microsoft.com/claims/authnmethodsreferences";

/**
 * The claims an SSO decision reads (claims.ts), from a validated assertion: its attributes, `sub` (the
 * NameID), `email` from an emailAddress NameID when no attribute gives it, and `amr: ["mfa"]` when the
 * authentication context (or Entra's authnmethodsreferences attribute) says more than one factor.
 */
export function samlClaims(profile: Profile, authnContext: string[]): Claims {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const claims: Claims = { ...attributes, sub: profile.nameID };
  if (claims.email === undefined && profile.nameIDFormat?.endsWith(":emailAddress"))
    claims.email = profile.nameID;
  if (claims.name === undefined && typeof attributes.displayName === "string")
    claims.name = attributes.displayName;
  const methods = [attributes[ENTRA_AUTHN_METHODS]].flat().filter((v) => typeof v === "string");
  if ([...authnContext, ...methods].some((v) => MFA_CONTEXTS.has(v))) claims.amr = ["mfa"];
  return claims;
}
