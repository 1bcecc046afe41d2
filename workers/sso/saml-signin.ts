// A SAML sign-in, start to finish, for one tenant (SP-initiated, HTTP-Redirect out, HTTP-POST back). Start:
// a fresh AuthnRequest id, kept server-side for ten minutes (as a hash, like an OIDC state) and in this
// browser's cookie, and the IdP's URL. Finish: the cookie's request is consumed (single use, whatever the
// outcome), the Response must answer exactly that request and pass saml.ts's checks, its assertion id is
// recorded until the assertion expires (a second presentation is a replay), then admit.ts decides who gets
// in — the same rules as OIDC. A CLI sign-in (`login --sso`) names its loopback listener at the start; the
// IdP's answer, posted by a browser that holds no request cookie, is sent on to that listener (307: the
// browser posts it there), and the CLI, which holds the cookie, presents it to the ACS itself.
import { sha256Hex } from "@nostromo/crypto";
import type { TenantContext } from "../tenancy/context.ts";
import { admit, type SsoOutcome } from "./admit.ts";
import {
  claimedInResponseTo,
  newRequestId,
  type SamlIdp,
  SamlRejected,
  type SamlSp,
  samlAuthorizeUrl,
  samlClaims,
  splitCertificates,
  validateSamlResponse,
} from "./saml.ts";
import { AUTH_REQUEST_TTL_MS } from "./signin.ts";
import { type SsoProviderRow, ssoStore } from "./store.ts";

export function idpOf(row: SsoProviderRow): SamlIdp {
  return {
    entityId: row.issuer,
    ssoUrl: row.samlSsoUrl ?? "",
    certificates: splitCertificates(row.samlIdpCertificate ?? ""),
  };
}

export async function startSamlSignIn(
  ctx: TenantContext,
  provider: SsoProviderRow,
  p: { sp: SamlSp; returnTo?: string; cliRedirect?: string },
): Promise<{ authorizationUrl: string; requestId: string }> {
  const requestId = newRequestId();
  const authorizationUrl = await samlAuthorizeUrl(p.sp, idpOf(provider), requestId);
  await ssoStore(ctx).saveRequest({
    providerId: provider.id,
    stateHash: await sha256Hex(requestId),
    codeVerifierEncrypted: null,
    nonce: null,
    redirectUri: p.sp.acsUrl,
    returnTo: p.returnTo ?? "/",
    cliRedirect: p.cliRedirect ?? null,
    expiresAt: new Date(Date.now() + AUTH_REQUEST_TTL_MS),
  });
  return { authorizationUrl, requestId };
}

/**
 * Where to send the IdP's answer when it answers a CLI sign-in and this browser is not the CLI (it lacks
 * the request's cookie): the CLI's loopback listener, which only the process that started it listens on.
 */
export async function samlCliForward(
  ctx: TenantContext,
  samlResponse: string,
  requestCookie: string | undefined,
): Promise<string | null> {
  const requestId = await claimedInResponseTo(samlResponse);
  if (!requestId || requestId === requestCookie) return null;
  return ssoStore(ctx).cliRedirectOf(await sha256Hex(requestId));
}

/** The ACS: an outcome, or an SsoFailure (a SamlRejected for the response's own faults) for the audit. */
export async function finishSamlSignIn(
  ctx: TenantContext,
  p: { sp: SamlSp; samlResponse: string; requestCookie: string | undefined },
): Promise<SsoOutcome> {
  if (!p.requestCookie)
    throw new SamlRejected("in_response_to", "no sign-in was started in this browser (unsolicited response)");
  const store = ssoStore(ctx);
  const req = await store.consumeRequest(await sha256Hex(p.requestCookie));
  if (!req || req.redirectUri !== p.sp.acsUrl)
    throw new SamlRejected("in_response_to", "unknown, used or expired sign-in request");
  const provider = await store.get(req.providerId);
  if (!provider?.enabled || provider.type !== "saml")
    throw new SamlRejected("in_response_to", "the provider is disabled");
  const v = await validateSamlResponse(p.sp, idpOf(provider), p.samlResponse, {
    requestId: p.requestCookie,
    issuedAt: req.createdAt,
  });
  const fresh = await store.useAssertion(
    provider.id,
    await sha256Hex(`${provider.issuer}\n${v.assertionId}`),
    v.expiresAt,
  );
  if (!fresh) throw new SamlRejected("replayed", "this assertion was already used");
  return admit(ctx, provider, samlClaims(v.profile, v.authnContext), req.returnTo);
}
