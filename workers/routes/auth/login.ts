// POST /api/auth/login for both principals: a tenant user on a tenant host (subdomain, X-Tenant-ID or
// ?tenantId=), the platform super admin on the platform host. Throttled per account × IP, per IP and
// (for unknown callers) per account; every failure audited through the bounded trail; TOTP (or a recovery code) when the user has 2FA; require_2fa forces enrolment first.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { superAdmins } from "../../../db/schema/control/tenants.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit, platformAudit } from "../../audit/audit.ts";
import { auditFailedLogin } from "../../audit/failed-logins.ts";
import { ipAllowed } from "../../auth/ip-ranges.ts";
import { startLogin } from "../../auth/logins.ts";
import { verifyPassword } from "../../auth/password.ts";
import { loadRole } from "../../auth/roles.ts";
import { assertNotThrottled, clearFailures, recordFailure, throttleKeys } from "../../auth/throttle.ts";
import { hashRecoveryCode, verifyTotp } from "../../auth/totp.ts";
import { isTrustedCaller, trustDevice } from "../../auth/trusted-device.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { readJson } from "../../lib/validate.ts";
import { decryptForTenant } from "../../tenancy/connection-manager.ts";
import { loadOrganization } from "../../tenancy/organization.ts";

export const loginBody = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
  totp: z.string().trim().max(16).optional(),
  recoveryCode: z.string().trim().max(64).optional(),
});

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

async function superAdminLogin(c: Context<AppEnv>, body: z.output<typeof loginBody>) {
  const keys = await throttleGate(c, "platform", body.email);
  const [admin] = await c.var.db.select().from(superAdmins).where(eq(superAdmins.email, body.email));
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
  await c.var.db.update(superAdmins).set({ lastLogin: new Date() }).where(eq(superAdmins.id, admin.id));
  await platformAudit(c, {
    type: "user.login",
    action: "login",
    description: `Super admin ${admin.email} logged in`,
    actorId: admin.id,
    actorEmail: admin.email,
  });
  return c.json({
    principal: { kind: "super_admin", id: admin.id, email: admin.email, name: admin.name },
    csrfToken: login.csrfToken,
    expiresAt: login.expiresAt.toISOString(),
  });
}

async function tenantLogin(c: Context<AppEnv>, body: z.output<typeof loginBody>) {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
  const { db, tenant } = scope;
  const keys = await throttleGate(c, tenant.id, body.email);
  const fail = async (reason: string, userId: string | null, code: ApiError = badCredentials()) => {
    await recordFailure(c.var.db, keys);
    await auditFailedLogin(c, {
      email: body.email,
      reason,
      userId,
      description: `Failed login for ${body.email}: ${reason}`,
    });
    throw code;
  };
  const org = await loadOrganization(db, tenant.id);
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
  const [u] = await db
    .select()
    .from(user)
    .where(and(eq(user.organizationId, tenant.id), eq(user.email, body.email), isNull(user.deletedAt)));
  const ok = await verifyPassword(body.password, u?.passwordHash);
  if (!u || !ok) return fail(u ? "wrong password" : "unknown account", u?.id ?? null);
  if (!u.isActive) return fail("account disabled", u.id);

  let secondFactor: "totp" | "recovery_code" | null = null;
  let recoveryCodesLeft: number | null = null;
  if (u.twoFactorEnabled && u.twoFactorSecret) {
    if (!body.totp && !body.recoveryCode) {
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
      // Used up in the same statement that checks it: two logins racing with one code cannot both win.
      const hash = await hashRecoveryCode(body.recoveryCode ?? "");
      const used = await db
        .update(user)
        .set({ twoFactorRecoveryCodes: sql`${user.twoFactorRecoveryCodes} - ${hash}::text` })
        .where(and(eq(user.id, u.id), sql`${user.twoFactorRecoveryCodes} ? ${hash}::text`))
        .returning({ left: sql<number>`jsonb_array_length(${user.twoFactorRecoveryCodes})` });
      if (!used[0]) return fail("wrong recovery code", u.id);
      secondFactor = "recovery_code";
      recoveryCodesLeft = used[0].left;
    }
  }
  await clearFailures(c.var.db, keys);
  const role = await loadRole(db, u.roleId);
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
  await db.update(user).set({ lastLogin: new Date() }).where(eq(user.id, u.id));
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
  return c.json({
    principal: {
      kind: "user",
      id: u.id,
      email: u.email,
      name: u.name,
      tenantId: tenant.id,
      role: role?.name ?? null,
      permissions: role?.permissions ?? [],
    },
    pendingStep,
    csrfToken: login.csrfToken,
    expiresAt: login.expiresAt.toISOString(),
  });
}

export async function login(c: Context<AppEnv>) {
  const body = await readJson(c, loginBody);
  return c.var.tenant ? tenantLogin(c, body) : superAdminLogin(c, body);
}
