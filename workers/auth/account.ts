// A tenant user's own account: profile, password and TOTP two-factor authentication. Services over a
// TenantContext and the signed-in principal; the user table is written through the users store. Wrong
// current passwords and wrong 2FA codes count toward the same throttle as logins.
import { recordAudit } from "../audit/audit.ts";
import { isoOrNull } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { decryptForTenant, encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import { clearPendingStep, endOtherLogins } from "./logins.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import type { UserPrincipal } from "./principal.ts";
import type { PasswordBody, ProfileBody } from "./schemas.ts";
import { assertNotThrottled, clearFailures, recordFailure, throttleKeys } from "./throttle.ts";
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, verifyTotp } from "./totp.ts";

async function ownRow(ctx: TenantContext, u: UserPrincipal) {
  const row = await userStore(ctx).row(u.id);
  if (!row) throw new ApiError("UNAUTHORIZED", "Authentication required");
  return row;
}

/** The profile fields GET /api/auth/me adds to a tenant user's principal. */
export async function profileOf(ctx: TenantContext, u: UserPrincipal) {
  const row = await ownRow(ctx, u);
  return {
    avatar_url: row.avatarUrl,
    bio: row.bio,
    timezone: row.timezone,
    two_factor_enabled: row.twoFactorEnabled,
    last_login: isoOrNull(row.lastLogin),
  };
}

export async function updateProfile(ctx: TenantContext, u: UserPrincipal, body: ProfileBody): Promise<void> {
  await userStore(ctx).change(u.id, {
    name: body.name,
    avatarUrl: body.avatar_url,
    bio: body.bio,
    timezone: body.timezone,
  });
  await recordAudit(ctx, {
    type: "user.updated",
    action: "update_profile",
    description: `${u.email} updated their profile`,
    metadata: { fields: Object.keys(body) },
  });
}

function throttleOf(ctx: TenantContext, u: UserPrincipal) {
  return throttleKeys(u.tenantId, u.email, ctx.request?.ip ?? "");
}

/** Changes the password after checking the current one; every other login of the user ends. */
export async function changePassword(ctx: TenantContext, u: UserPrincipal, body: PasswordBody) {
  // Guessing the current password from a stolen login is brute force too: same counters as login.
  const keys = throttleOf(ctx, u);
  await assertNotThrottled(ctx.control, keys);
  const row = await ownRow(ctx, u);
  if (!(await verifyPassword(body.current_password, row.passwordHash))) {
    await recordFailure(ctx.control, keys);
    await recordAudit(ctx, {
      type: "user.password.changed",
      action: "password_change",
      description: `${u.email} failed to change their password: wrong current password`,
      status: "failure",
    });
    throw new ApiError("INVALID_CREDENTIALS", "Current password is wrong");
  }
  await clearFailures(ctx.control, keys);
  await userStore(ctx).change(u.id, {
    passwordHash: await hashPassword(body.new_password),
    passwordChangedAt: new Date(),
  });
  // A changed password must lock out whoever knew the old one.
  const ended = await endOtherLogins(ctx.control, u.tenantId, u.id, u.loginId, "password_changed");
  await recordAudit(ctx, {
    type: "user.password.changed",
    action: "password_change",
    description: `${u.email} changed their password`,
    metadata: { otherLoginsEnded: ended },
  });
  return { ok: true as const, other_logins_ended: ended };
}

/** Starts enrolment: a new secret, kept encrypted as pending until a code proves the authenticator has it. */
export async function enrolTwoFactor(ctx: TenantContext, u: UserPrincipal) {
  const row = await ownRow(ctx, u);
  if (row.twoFactorEnabled) throw new ApiError("CONFLICT", "Two-factor authentication is already enabled");
  const secret = newTotpSecret();
  await userStore(ctx).change(u.id, {
    twoFactorPendingSecret: await encryptForTenant(ctx.env, ctx.tenant, secret),
  });
  return { secret, otpauth_uri: otpauthUri(secret, u.email) };
}

export async function verifyTwoFactor(ctx: TenantContext, u: UserPrincipal, code: string) {
  const row = await ownRow(ctx, u);
  if (!row.twoFactorPendingSecret)
    throw new ApiError("INVALID_STATE", "Start with POST /api/auth/2fa/enroll");
  const secret = await decryptForTenant(ctx.env, ctx.tenant, row.twoFactorPendingSecret);
  if (!verifyTotp(secret.reveal(), code, u.email))
    throw new ApiError("VALIDATION_ERROR", "Wrong code", {
      fields: [{ path: "code", message: "does not match", code: "custom" }],
    });
  const recovery = await newRecoveryCodes();
  await userStore(ctx).change(u.id, {
    twoFactorEnabled: true,
    twoFactorSecret: row.twoFactorPendingSecret,
    twoFactorPendingSecret: null,
    twoFactorRecoveryCodes: recovery.hashed,
  });
  if (u.loginId) await clearPendingStep(ctx.control, u.loginId);
  await recordAudit(ctx, {
    type: "user.2fa.enabled",
    action: "2fa_enable",
    description: `${u.email} enabled two-factor authentication`,
  });
  return { enabled: true as const, recovery_codes: recovery.plain };
}

export async function disableTwoFactor(ctx: TenantContext, u: UserPrincipal, code: string) {
  const row = await ownRow(ctx, u);
  if (!row.twoFactorEnabled || !row.twoFactorSecret)
    throw new ApiError("INVALID_STATE", "Two-factor authentication is not enabled");
  if ((await loadOrganization(ctx.db, ctx.tenant.id)).settings.require_2fa)
    throw new ApiError("FORBIDDEN", "Your organization requires two-factor authentication");
  const keys = throttleOf(ctx, u);
  await assertNotThrottled(ctx.control, keys);
  const secret = await decryptForTenant(ctx.env, ctx.tenant, row.twoFactorSecret);
  const byRecovery = (row.twoFactorRecoveryCodes ?? []).includes(await hashRecoveryCode(code));
  if (!verifyTotp(secret.reveal(), code, u.email) && !byRecovery) {
    await recordFailure(ctx.control, keys);
    throw new ApiError("INVALID_CREDENTIALS", "Wrong code");
  }
  await userStore(ctx).change(u.id, {
    twoFactorEnabled: false,
    twoFactorSecret: null,
    twoFactorPendingSecret: null,
    twoFactorRecoveryCodes: null,
  });
  await recordAudit(ctx, {
    type: "user.2fa.disabled",
    action: "2fa_disable",
    description: `${u.email} disabled two-factor authentication`,
  });
  return { enabled: false as const };
}
