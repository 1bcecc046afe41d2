// Who an SSO sign-in lets in, whatever the protocol (OIDC or SAML): the claims decide (claims.ts), then
// the person — created just in time with the mapped or default role, or, existing, refused when disabled
// here and moved to the role their groups give now (audited as a role change from claims). One place, so
// both protocols apply the same domain rule, require_2fa, JIT creation, role mapping and audit.
import { randomToken } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import { hashPassword } from "../auth/password.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import { type Claims, decide } from "./claims.ts";
import { SsoFailure } from "./oidc.ts";
import { type SsoProviderRow, ssoStore } from "./store.ts";

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

export async function admit(
  ctx: TenantContext,
  provider: SsoProviderRow,
  claims: Claims,
  returnTo: string,
): Promise<SsoOutcome> {
  const org = await loadOrganization(ctx.db, ctx.tenant.id);
  const d = decide(claims, {
    emailClaim: provider.emailClaim,
    roleClaim: provider.roleClaim,
    roleMapping: provider.roleMapping,
    defaultRoleId: provider.defaultRoleId,
    domain: await ssoStore(ctx).organizationDomain(),
  });
  if (!d.ok) throw new SsoFailure(d.reason, { email: d.email });
  if (org.settings.require_2fa && !d.mfa)
    throw new SsoFailure("the organization requires 2FA and the identity provider asserted no MFA", {
      email: d.email,
    });
  const users = userStore(ctx);
  const existing = await users.byEmail(d.email);
  const base = {
    email: d.email,
    mfa: d.mfa,
    provider: { id: provider.id, displayName: provider.displayName },
    returnTo,
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
