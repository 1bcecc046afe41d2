// An OIDC sign-in, start to finish, for one tenant. Start: discovery, a fresh state/nonce/PKCE verifier kept
// server-side for ten minutes (the verifier encrypted), the authorization URL. Finish: the state must be the
// one this browser started (cookie) and still unused, the code is redeemed and the ID token validated
// (oidc.ts), then admit.ts decides who gets in (the same for SAML). The caller turns the outcome into the
// usual login session.
import { sha256Hex } from "@nostromo/crypto";
import { ApiError } from "../errors.ts";
import { decryptForTenant, encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { admit, type SsoOutcome } from "./admit.ts";
import { authorizationUrl, discover, newChallenge, redeem, SsoFailure } from "./oidc.ts";
import { type SsoProviderRow, ssoStore } from "./store.ts";

export const AUTH_REQUEST_TTL_MS = 10 * 60 * 1000;

/**
 * The provider a sign-in starts with: the one named, else the organization's enabled OIDC provider, else
 * its enabled SAML IdP (the CLI names none).
 */
export async function enabledProvider(ctx: TenantContext, id: string | undefined): Promise<SsoProviderRow> {
  const store = ssoStore(ctx);
  const oidc = id ? null : await store.byType("oidc");
  const row = id ? await store.get(id) : oidc?.enabled ? oidc : await store.byType("saml");
  if (!row?.enabled)
    throw new ApiError("NOT_FOUND", "This organization has no enabled single sign-on provider");
  return row;
}

export async function startSignIn(
  ctx: TenantContext,
  provider: SsoProviderRow,
  p: { returnTo?: string; redirectUri: string; cliRedirect?: string },
): Promise<{ authorizationUrl: string; state: string }> {
  let url: string;
  const ch = newChallenge();
  try {
    const as = await discover(ctx.env, provider.issuer);
    url = await authorizationUrl(
      as,
      { clientId: provider.clientId, redirectUri: p.redirectUri, scopes: provider.scopes },
      ch,
    );
  } catch (err) {
    if (err instanceof SsoFailure) throw new ApiError("BAD_GATEWAY", `The identity provider: ${err.reason}`);
    throw err;
  }
  await ssoStore(ctx).saveRequest({
    providerId: provider.id,
    stateHash: await sha256Hex(ch.state),
    codeVerifierEncrypted: await encryptForTenant(ctx.env, ctx.tenant, ch.codeVerifier),
    nonce: ch.nonce,
    redirectUri: p.redirectUri,
    returnTo: p.returnTo ?? "/",
    cliRedirect: p.cliRedirect ?? null,
    expiresAt: new Date(Date.now() + AUTH_REQUEST_TTL_MS),
  });
  return { authorizationUrl: url, state: ch.state };
}

/**
 * Where to forward the IdP's answer when `state` belongs to a CLI sign-in and this request is not the CLI's
 * (it lacks the state cookie): the browser that signed in at the IdP hands the code to the CLI's loopback
 * listener, and the CLI — which holds the cookie — redeems it here (RFC 8252's loopback redirect).
 */
export async function cliForward(ctx: TenantContext, callback: URL, stateCookie: string | undefined) {
  const state = callback.searchParams.get("state");
  if (!state || stateCookie === state) return null;
  const cli = await ssoStore(ctx).cliRedirectOf(await sha256Hex(state));
  return cli ? `${cli}${callback.search}` : null;
}

/** The callback: an outcome, or an SsoFailure whose reason goes to the audit trail. */
export async function finishSignIn(
  ctx: TenantContext,
  p: { callback: URL; stateCookie: string | undefined },
): Promise<SsoOutcome> {
  const state = p.callback.searchParams.get("state");
  if (!state) throw new SsoFailure("the answer carries no state");
  if (p.stateCookie !== state) throw new SsoFailure("the state is not the one this browser started");
  const store = ssoStore(ctx);
  const req = await store.consumeRequest(await sha256Hex(state));
  if (!req) throw new SsoFailure("unknown, used or expired sign-in state");
  const provider = await store.get(req.providerId);
  if (!provider?.enabled || provider.type !== "oidc" || !provider.clientSecretEncrypted)
    throw new SsoFailure("the provider is disabled");
  if (!req.codeVerifierEncrypted || !req.nonce) throw new SsoFailure("not an OpenID Connect sign-in");
  const as = await discover(ctx.env, provider.issuer);
  const [secret, verifier] = await Promise.all([
    decryptForTenant(ctx.env, ctx.tenant, provider.clientSecretEncrypted),
    decryptForTenant(ctx.env, ctx.tenant, req.codeVerifierEncrypted),
  ]);
  const claims = await redeem(
    ctx.env,
    as,
    { clientId: provider.clientId, clientSecret: secret.reveal() },
    p.callback,
    { state, nonce: req.nonce, codeVerifier: verifier.reveal(), redirectUri: req.redirectUri },
  );
  return admit(ctx, provider, claims, req.returnTo);
}
