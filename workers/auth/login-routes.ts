// POST /api/auth/login for both principals: a tenant user on a tenant host (subdomain, X-Tenant-ID or
// ?tenantId=), the platform super admin on the platform host. Throttled per account × IP, per IP and (for
// unknown callers) per account; every failure audited through the bounded trail; TOTP (or a recovery code)
// when the user has 2FA; require_2fa lets the user in only to enrol. Sets the `sid` cookie (and the
// trusted-device cookie) and answers the CSRF token.
import { type Context, Hono } from "hono";
import type { OrganizationSettings } from "../../db/schema/tenant/organization.ts";
import { audit, platformAudit } from "../audit/audit.ts";
import { auditFailedLogin } from "../audit/failed-logins.ts";
import { op } from "../contract/op.ts";
import { iso } from "../contract/schemas.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson } from "../lib/validate.ts";
import { decryptForTenant } from "../tenancy/connection-manager.ts";
import { requestTenant } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { userStore } from "../users/store.ts";
import { ipAllowed } from "./ip-ranges.ts";
import { startLogin } from "./logins.ts";
import { verifyPassword } from "./password.ts";
import { loadRole } from "./roles.ts";
import { LoginAnswer, LoginBody } from "./schemas.ts";
import { superAdminStore } from "./super-admin-store.ts";
import { assertNotThrottled, clearFailures, recordFailure, throttleKeys } from "./throttle.ts";
import { hashRecoveryCode, verifyTotp } from "./totp.ts";
import { isTrustedCaller, trustDevice } from "./trusted-device.ts";

/**
 * While the organization requires SSO, only its break-glass account may use a password: true for that
 * account, null for anybody else; false when SSO is not required.
 */
export function ssoGate(settings: OrganizationSettings, email: string): boolean | null {
  if (!settings.sso_enabled) return false;
  const glass = settings.sso_break_glass_email;
  return glass && glass.toLowerCase() === email.trim().toLowerCase() ? true : null;
}

function badCredentials(): ApiError {
  return new ApiError("INVALID_CREDENTIALS", "Wrong email or password");
}

/** Refuses a throttled caller (429), auditing the refusal through the bounded failed-login trail. */
async function throttleGate(c: Context<AppEnv>, scope: string, email: string) {
  const keys = throttleKeys(scope, email, c.var.clientIp);
  try {
    await assertNotThrottled(c.var.db, keys, await isTrustedCaller(c, scope, email));
  } catch (err) {
    await auditFailedLogin(c, {
      email,
      reason: "throttled",
      userId: null,
      description: `Login for ${email} refused: too many failures`,
    });
    throw err;
  }
  return keys;
}

async function superAdminLogin(c: Context<AppEnv>, body: LoginBody): Promise<LoginAnswer> {
  const keys = await throttleGate(c, "platform", body.email);
  const admins = superAdminStore(c.var.db);
  const admin = await admins.byEmail(body.email);
  const ok = await verifyPassword(body.password, admin?.passwordHash);
  if (!admin || !ok || !admin.isActive) {
    await recordFailure(c.var.db, keys);
    await auditFailedLogin(c, {
      email: body.email,
      reason: !admin ? "unknown account" : !ok ? "wrong password" : "account disabled",
      userId: admin?.id ?? null,
      description: `Failed super admin login for ${body.email}`,
    });
    throw badCredentials();
  }
  await clearFailures(c.var.db, keys);
  const login = await startLogin(c, {
    principalType: "super_admin",
    userId: admin.id,
    tenantId: null,
    email: admin.email,
    userName: admin.name,
    roleName: "SuperAdmin",
  });
  await trustDevice(c, "platform", admin.email);
  await admins.touchLogin(admin.id);
  await platformAudit(c, {
    type: "user.login",
    action: "login",
    description: `Super admin ${admin.email} logged in`,
    actorId: admin.id,
    actorEmail: admin.email,
  });
  return {
    principal: {
      kind: "super_admin",
      id: admin.id,
      email: admin.email,
      name: admin.name,
      via: "cookie",
      token_id: null,
    },
    pending_step: null,
    csrf_token: login.csrfToken,
    expires_at: iso(login.expiresAt),
  };
}

async function tenantLogin(c: Context<AppEnv>, body: LoginBody): Promise<LoginAnswer> {
  const ctx = requestTenant(c);
  const { tenant } = ctx;
  const users = userStore(ctx);
  const keys = await throttleGate(c, tenant.id, body.email);
  const fail = async (reason: string, userId: string | null): Promise<never> => {
    await recordFailure(c.var.db, keys);
    await auditFailedLogin(c, {
      email: body.email,
      reason,
      userId,
      description: `Failed login for ${body.email}: ${reason}`,
    });
    throw badCredentials();
  };
  const org = await loadOrganization(ctx.db, tenant.id);
  if (!ipAllowed(c.var.clientIp, org.settings.allowed_ip_ranges)) {
    await audit(c, {
      type: "security.unauthorized",
      action: "ip_refused",
      description: `Login for ${body.email} refused: ${c.var.clientIp || "unknown address"} is outside the allowed IP ranges`,
      status: "failure",
      userId: null,
      metadata: { email: body.email, ip: c.var.clientIp },
    });
    throw new ApiError("IP_NOT_ALLOWED", "Your address is not in the organization's allowed IP ranges");
  }
  const breakGlass = ssoGate(org.settings, body.email);
  if (breakGlass === null) {
    await auditFailedLogin(c, {
      email: body.email,
      reason: "sso required",
      userId: null,
      description: `Password login for ${body.email} refused: the organization signs in through SSO`,
    });
    throw new ApiError("SSO_REQUIRED", "This organization signs in through single sign-on");
  }
  const u = await users.byEmail(body.email);
  const ok = await verifyPassword(body.password, u?.passwordHash);
  if (!u || !ok) return fail(u ? "wrong password" : "unknown account", u?.id ?? null);
  if (!u.isActive) return fail("account disabled", u.id);

  let secondFactor: "totp" | "recovery_code" | null = null;
  let recoveryCodesLeft: number | null = null;
  if (u.twoFactorEnabled && u.twoFactorSecret) {
    if (!body.totp && !body.recovery_code) {
      await auditFailedLogin(c, {
        email: body.email,
        reason: "2fa_required",
        userId: u.id,
        description: `Login for ${body.email} needs a TOTP code`,
        status: "warning",
      });
      throw new ApiError("TWO_FACTOR_REQUIRED", "Enter the code from your authenticator app (field totp)");
    }
    if (body.totp) {
      const secret = await decryptForTenant(c.env, tenant, u.twoFactorSecret);
      if (!verifyTotp(secret.reveal(), body.totp, u.email)) return fail("wrong TOTP code", u.id);
      secondFactor = "totp";
    } else {
      const left = await users.useRecoveryCode(u.id, await hashRecoveryCode(body.recovery_code ?? ""));
      if (left === null) return fail("wrong recovery code", u.id);
      secondFactor = "recovery_code";
      recoveryCodesLeft = left;
    }
  }
  await clearFailures(c.var.db, keys);
  const role = await loadRole(ctx.db, ctx.tenant.id, u.roleId);
  const pendingStep = org.settings.require_2fa && !u.twoFactorEnabled ? "2fa_enroll" : null;
  const login = await startLogin(c, {
    principalType: "tenant_user",
    userId: u.id,
    tenantId: tenant.id,
    email: u.email,
    userName: u.name,
    roleName: role?.name ?? "",
    pendingStep,
  });
  await trustDevice(c, tenant.id, u.email);
  await users.change(u.id, { lastLogin: new Date() });
  if (breakGlass) {
    await audit(c, {
      type: "security.alert",
      action: "sso_break_glass",
      description: `${u.email} signed in with a password while SSO is on (break-glass account)`,
      status: "warning",
      userId: u.id,
    });
  }
  await audit(c, {
    type: "user.login",
    action: "login",
    description: `${u.email} logged in`,
    userId: u.id,
    metadata: {
      loginId: login.loginId,
      pendingStep,
      secondFactor,
      ...(recoveryCodesLeft === null ? {} : { recoveryCodesLeft }),
    },
  });
  return {
    principal: {
      kind: "user",
      id: u.id,
      email: u.email,
      name: u.name,
      tenant_id: tenant.id,
      role_id: u.roleId,
      role_name: role?.name ?? "",
      permissions: role?.permissions ?? [],
      own_only: role?.ownOnly ?? [],
      pending_step: pendingStep,
      via: "cookie",
      token_id: null,
    },
    pending_step: pendingStep,
    csrf_token: login.csrfToken,
    expires_at: iso(login.expiresAt),
  };
}

export const loginRoutes = new Hono<AppEnv>().post(
  "/login",
  op({
    tag: "Auth",
    summary: "Log in",
    description:
      "A tenant user on the tenant's host, a super admin on the platform host. Sets the `sid` cookie " +
      "(HttpOnly); send `csrf_token` as the x-csrf-token header on every cookie-authenticated change. " +
      "With 2FA on, `totp` or `recovery_code` is needed (401 TWO_FACTOR_REQUIRED without). Failures are " +
      "throttled (429 RATE_LIMITED with Retry-After).",
    access: "public",
    body: LoginBody,
    responses: { 200: LoginAnswer },
    errors: [
      "INVALID_CREDENTIALS",
      "TWO_FACTOR_REQUIRED",
      "RATE_LIMITED",
      "IP_NOT_ALLOWED",
      "SSO_REQUIRED",
      "VALIDATION_ERROR",
    ],
  }),
  async (c) => {
    const body = await readJson(c, LoginBody);
    return c.json(c.var.tenant ? await tenantLogin(c, body) : await superAdminLogin(c, body));
  },
);
