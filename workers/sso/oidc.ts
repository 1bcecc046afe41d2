// The OpenID Connect relying party, on oauth4webapi (runs in workerd: fetch and WebCrypto only):
// discovery, the authorization URL (code flow, PKCE S256, state, nonce), and the callback's exchange —
// the authorization response checked against the state, the code redeemed with the PKCE verifier, the
// ID token's iss/aud/exp/iat/nonce validated, then the userinfo claims (same `sub`) merged over it, since
// most providers put email and groups there for a code flow. The ID token comes straight from the token
// endpoint over TLS, which OIDC Core 3.1.3.7 accepts in place of checking its signature.
// Plain-http issuers are allowed outside production only (the tests' loopback OpenID Provider).
import * as oauth from "oauth4webapi";
import type { Bindings } from "../env.ts";
import type { Claims } from "./claims.ts";

type Env = Pick<Bindings, "ENVIRONMENT">;

export interface RelyingParty {
  clientId: string;
  clientSecret: string;
}

/** A sign-in failure with the reason recorded in the audit trail (never shown raw to the browser). */
export class SsoFailure extends Error {
  constructor(
    readonly reason: string,
    readonly who: { email?: string | null; userId?: string | null } = {},
  ) {
    super(reason);
    this.name = "SsoFailure";
  }
}

const insecure = (env: Env) =>
  env.ENVIRONMENT === "production" ? {} : { [oauth.allowInsecureRequests]: true as const };

export async function discover(env: Env, issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  if (env.ENVIRONMENT === "production" && url.protocol !== "https:")
    throw new SsoFailure("the issuer must be https");
  try {
    const res = await oauth.discoveryRequest(url, {
      algorithm: "oidc",
      signal: AbortSignal.timeout(10_000),
      ...insecure(env),
    });
    return await oauth.processDiscoveryResponse(url, res);
  } catch (err) {
    throw new SsoFailure(`discovery failed: ${describe(err)}`);
  }
}

export interface Challenge {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function newChallenge(): Challenge {
  return {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
  };
}

export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  p: { clientId: string; redirectUri: string; scopes: string[] },
  ch: Challenge,
): Promise<string> {
  if (!as.authorization_endpoint) throw new SsoFailure("the provider has no authorization endpoint");
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("client_id", p.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", p.scopes.join(" "));
  url.searchParams.set("state", ch.state);
  url.searchParams.set("nonce", ch.nonce);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(ch.codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.href;
}

/** The callback: the IdP's answer to validated claims, or an SsoFailure saying why not. */
export async function redeem(
  env: Env,
  as: oauth.AuthorizationServer,
  rp: RelyingParty,
  callback: URL,
  expected: { state: string; nonce: string; codeVerifier: string; redirectUri: string },
): Promise<Claims> {
  const client: oauth.Client = { client_id: rp.clientId };
  const auth = oauth.ClientSecretBasic(rp.clientSecret);
  try {
    const params = oauth.validateAuthResponse(as, client, callback.searchParams, expected.state);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      expected.redirectUri,
      expected.codeVerifier,
      { signal: AbortSignal.timeout(10_000), ...insecure(env) },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, {
      expectedNonce: expected.nonce,
      requireIdToken: true,
    });
    const idToken = oauth.getValidatedIdTokenClaims(tokens);
    if (!idToken) throw new SsoFailure("no ID token");
    let userinfo: Claims = {};
    if (as.userinfo_endpoint) {
      const ui = await oauth.userInfoRequest(as, client, tokens.access_token, {
        signal: AbortSignal.timeout(10_000),
        ...insecure(env),
      });
      userinfo = await oauth.processUserInfoResponse(as, client, idToken.sub, ui);
    }
    // The ID token's own claims (amr, nonce, iss…) win over userinfo's.
    return { ...userinfo, ...idToken };
  } catch (err) {
    if (err instanceof SsoFailure) throw err;
    throw new SsoFailure(describe(err));
  }
}

function describe(err: unknown): string {
  if (err instanceof oauth.AuthorizationResponseError)
    return `the identity provider refused: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`;
  if (err instanceof oauth.ResponseBodyError)
    return `the token endpoint refused: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`;
  if (err instanceof Error) return err.message.slice(0, 300);
  return String(err).slice(0, 300);
}
