// An SSO sign-in, start to finish, for one tenant. Start: discovery, a fresh state/nonce/PKCE verifier kept
// server-side for ten minutes (the verifier encrypted), the authorization URL. Finish: the state must be the
// one this browser started (cookie) and still unused, the code is redeemed and the ID token validated
// (oidc.ts), the claims decide (claims.ts), then the person: created just in time with the mapped or
// default role, or — existing — refused when disabled here and moved to the role their groups give now
// (audited as a role change from claims). The caller turns the outcome into the usual login session.
import { randomToken, sha256Hex } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import { hashPassword } from "../auth/password.ts";
import { ApiError } from "../errors.ts";
import { decryptForTenant, encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import { decide } from "./claims.ts";
import { authorizationUrl, discover, newChallenge, redeem, SsoFailure } from "./oidc.ts";
import { type SsoProviderRow, ssoStore } from "./store.ts";

export const AUTH_REQUEST_TTL_MS = 10 * 60 * 1000;

async function enabledProvider(ctx: TenantContext, id: string | undefined): Promise<SsoProviderRow> {
  const store = ssoStore(ctx);
  const row = id ? await store.get(id) : await store.byType("oidc");
  if (!row?.enabled)
    throw new ApiError("NOT_FOUND", "This organization has no enabled single sign-on provider");
  return row;
}

export async function startSignIn(
  ctx: TenantContext,
  p: { providerId?: string; returnTo?: string; redirectUri: string; cliRedirect?: string },
): Promise<{ authorizationUrl: string; state: string }> {
  const provider = await enabledProvider(ctx, p.providerId);
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

export interface SsoOutcome {
  userId: string;
  email: string;
  name: string;
  roleId: string;
  mfa: boolean;
  created: boolean;
  provider: { id: string; displayName: string };
  returnTo: string;
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
  if (!provider?.enabled || !provider.clientSecretEncrypted) throw new SsoFailure("the provider is disabled");
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
  const org = await loadOrganization(ctx.db, ctx.tenant.id);
  const d = decide(claims, {
    emailClaim: provider.emailClaim,
    roleClaim: provider.roleClaim,
    roleMapping: provider.roleMapping,
    defaultRoleId: provider.defaultRoleId,
    domain: await store.organizationDomain(),
  });
  if (!d.ok) throw new SsoFailure(d.reason, { email: d.email });
  if (org.settings.require_2fa && !d.mfa)
    throw new SsoFailure("the organization requires 2FA and the identity provider asserted no MFA (amr)", {
      email: d.email,
    });
  const users = userStore(ctx);
  const existing = await users.byEmail(d.email);
  const base = {
    email: d.email,
    mfa: d.mfa,
    provider: { id: provider.id, displayName: provider.displayName },
    returnTo: req.returnTo,
  };
  if (!existing) {
    const userId = await users.create({
      email: d.email,
      name: d.name,
      roleId: d.roleId,
      // Unusable: nobody knows it, so a JIT user signs in through the provider only.
      passwordHash: await hashPassword(randomToken(32)),
      avatarUrl: null,
      bio: null,
      isActive: true,
    });
    await recordAudit(ctx, {
      type: "user.created",
      action: "jit_create",
      description: `${d.email} was created on first single sign-on through ${provider.displayName}`,
      userId,
      metadata: {
        via: "sso",
        provider_id: provider.id,
        role_id: d.roleId,
        matched_claim_value: d.matched,
        sub: claims.sub,
      },
    });
    return { ...base, userId, name: d.name, roleId: d.roleId, created: true };
  }
  if (!existing.isActive)
    throw new SsoFailure("account disabled in Nostromo", { email: d.email, userId: existing.id });
  if (existing.roleId !== d.roleId) {
    await users.change(existing.id, { roleId: d.roleId });
    await recordAudit(ctx, {
      type: "user.role.changed",
      action: "role_from_claims",
      description: `${d.email}'s role was changed by the identity provider's claims`,
      userId: existing.id,
      metadata: {
        via: "sso",
        provider_id: provider.id,
        from: existing.roleId,
        to: d.roleId,
        matched_claim_value: d.matched,
      },
    });
  }
  return { ...base, userId: existing.id, name: existing.name, roleId: d.roleId, created: false };
}
