// Importing a SAML IdP's metadata (an admin pastes its XML or names its URL): the EntityDescriptor's
// entityID, the HTTP-Redirect SingleSignOnService location (we send the AuthnRequest in that binding) and
// its signing certificates (several during a key rollover), checked and answered for the provider form.
// Parsed with xml2js (already the SP's parser, runs in workerd), prefixes stripped as node-saml reads XML;
// a DOCTYPE is refused outright (metadata has none; no entity tricks). Fetching a URL is a server-side
// request an admin aims: outside development/test only https, to a name or a public address (never
// localhost or a private, loopback or link-local literal), redirects followed by hand (at most 3, each hop
// checked the same way), 10 s and 512 KiB at most, and a failure never echoes what the URL answered.
import ipaddr from "ipaddr.js";
import type { Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { normalizeCertificate } from "./saml.ts";
import { kids, parseXmlTree, type X } from "./xml-tree.ts";

export const METADATA_MAX_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;
const MAX_CERTIFICATES = 4;
const SAML2 = "urn:oasis:names:tc:SAML:2.0:protocol";
const REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** PEM, the signing certificates in the metadata's order. */
  certificates: string[];
}

type Env = Pick<Bindings, "ENVIRONMENT">;

const invalid = (message: string) => new ApiError("SAML_METADATA_INVALID", message);

async function parse(xml: string): Promise<{ name: string; root: X }> {
  if (/<!DOCTYPE/i.test(xml)) throw invalid("The metadata must not have a DOCTYPE");
  const tree = await parseXmlTree(xml);
  if (!tree) throw invalid("The metadata is not well-formed XML");
  return tree;
}

/** Every EntityDescriptor, also inside (nested) EntitiesDescriptor aggregates. */
function entities(name: string, el: X): X[] {
  if (name === "EntityDescriptor") return [el];
  if (name !== "EntitiesDescriptor") return [];
  return [
    ...kids(el, "EntityDescriptor"),
    ...kids(el, "EntitiesDescriptor").flatMap((e) => entities("EntitiesDescriptor", e)),
  ];
}

/** Whether a URL may be used or fetched: http(s), and https plus a public host in production. */
export function urlProblem(env: Env, raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "only an https URL";
  if (env.ENVIRONMENT !== "production") return null;
  if (url.protocol !== "https:") return "only an https URL";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return "not a public host";
  if (ipaddr.isValid(host)) {
    const parsed = ipaddr.parse(host);
    const addr =
      parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
        ? (parsed as ipaddr.IPv6).toIPv4Address()
        : parsed;
    if (addr.range() !== "unicast") return "not a public address";
  }
  return null;
}

/** The one IdP a metadata document describes, checked; SAML_METADATA_INVALID saying what is wrong. */
export async function parseIdpMetadata(env: Env, xml: string): Promise<IdpMetadata> {
  const { name, root } = await parse(xml);
  const idps = entities(name, root).filter((e) =>
    kids(e, "IDPSSODescriptor").some((d) => (d.$?.protocolSupportEnumeration ?? "").includes(SAML2)),
  );
  if (idps.length === 0)
    throw invalid("The metadata describes no SAML 2.0 identity provider (no IDPSSODescriptor)");
  if (idps.length > 1)
    throw invalid(`The metadata describes ${idps.length} identity providers: give the one to use`);
  const entity = idps[0] as X;
  const entityId = (entity.$?.entityID ?? "").trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (!entityId || entityId.length > 1024 || /[\u0000-\u001f\u007f]/.test(entityId))
    throw invalid("The EntityDescriptor has no usable entityID");
  const descriptor = kids(entity, "IDPSSODescriptor")[0];
  const sso = kids(descriptor, "SingleSignOnService").find((s) => s.$?.Binding === REDIRECT_BINDING);
  const ssoUrl = sso?.$?.Location?.trim() ?? "";
  if (!ssoUrl)
    throw invalid(
      "The IdP offers no HTTP-Redirect SingleSignOnService (Nostromo sends its AuthnRequest in that binding)",
    );
  const problem = urlProblem(env, ssoUrl);
  if (problem || ssoUrl.length > 2048)
    throw invalid(`The SingleSignOnService location: ${problem ?? "too long"}`);
  const certificates = [
    ...new Set(
      kids(descriptor, "KeyDescriptor")
        .filter((k) => !k.$?.use || k.$.use === "signing")
        .flatMap((k) => kids(k, "KeyInfo"))
        .flatMap((i) => kids(i, "X509Data"))
        .flatMap((d) => kids(d, "X509Certificate"))
        .map((c) => normalizeCertificate(c._ ?? ""))
        .filter((c): c is string => c !== null),
    ),
  ];
  if (certificates.length === 0)
    throw invalid("The IdP's metadata has no signing certificate (KeyDescriptor with an X509Certificate)");
  if (certificates.length > MAX_CERTIFICATES)
    throw invalid(`The IdP lists ${certificates.length} signing certificates; at most ${MAX_CERTIFICATES}`);
  return { entityId, ssoUrl, certificates };
}

async function readBounded(res: Response): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > METADATA_MAX_BYTES)
    throw new ApiError("SAML_METADATA_UNREACHABLE", "The metadata is larger than 512 KiB");
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > METADATA_MAX_BYTES) {
      await reader.cancel();
      throw new ApiError("SAML_METADATA_UNREACHABLE", "The metadata is larger than 512 KiB");
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * The metadata document at `url`, fetched within the bounds above; SAML_METADATA_UNREACHABLE (a 4xx: the
 * admin's URL is what cannot be used) when it cannot be had.
 */
export async function fetchMetadata(env: Env, url: string): Promise<string> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let at = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const problem = urlProblem(env, at);
    if (problem)
      throw hop === 0
        ? new ApiError("VALIDATION_ERROR", `The metadata URL: ${problem}`, {
            fields: [{ path: "metadata_url", message: problem, code: "custom" }],
          })
        : new ApiError(
            "SAML_METADATA_UNREACHABLE",
            `The metadata URL redirected to a refused address (${problem})`,
          );
    let res: Response;
    try {
      res = await fetch(at, {
        redirect: "manual",
        signal,
        headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" },
      });
    } catch {
      throw new ApiError(
        "SAML_METADATA_UNREACHABLE",
        signal.aborted ? "The metadata URL did not answer in 10 s" : "The metadata URL cannot be reached",
      );
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      await res.body?.cancel();
      at = new URL(res.headers.get("location") as string, at).toString();
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ApiError("SAML_METADATA_UNREACHABLE", `The metadata URL answered ${res.status}`);
    }
    try {
      return await readBounded(res);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(
        "SAML_METADATA_UNREACHABLE",
        signal.aborted ? "The metadata URL did not answer in 10 s" : "The metadata could not be read",
      );
    }
  }
  throw new ApiError(
    "SAML_METADATA_UNREACHABLE",
    `The metadata URL redirected more than ${MAX_REDIRECTS} times`,
  );
}
