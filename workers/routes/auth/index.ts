// /api/auth: login, logout, me (+ profile), password change, TOTP 2FA, API tokens.

import { isPermission } from "@nostromo/permissions";
import { and, desc, eq, isNull, ne } from "drizzle-orm";
import { Hono } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { z } from "zod";
import { apiTokens, userSessions } from "../../../db/schema/control/auth.ts";
import { superAdmins } from "../../../db/schema/control/tenants.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit, platformAudit } from "../../audit/audit.ts";
import { SID_COOKIE } from "../../auth/authenticate.ts";
import { currentUser } from "../../auth/guard.ts";
import { revokeLogin } from "../../auth/logins.ts";
import { hashPassword, verifyPassword } from "../../auth/password.ts";
import type { Principal } from "../../auth/principal.ts";
import { assertNotThrottled, clearFailures, recordFailure, throttleKeys } from "../../auth/throttle.ts";
import { csrfTokenFor, hashToken, newApiToken } from "../../auth/tokens.ts";
import {
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  verifyTotp,
} from "../../auth/totp.ts";
import { AVATAR_URL, BIO, NAME, PASSWORD, TIMEZONE } from "../../auth/user-fields.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { idParam, readJson } from "../../lib/validate.ts";
import { decryptForTenant, encryptForTenant } from "../../tenancy/connection-manager.ts";
import { FEATURES } from "../../tenancy/features.ts";
import { loadOrganization } from "../../tenancy/organization.ts";
import { login } from "./login.ts";

const profileBody = z
  .object({
    name: NAME.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    timezone: TIMEZONE.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");

const passwordBody = z
  .object({ currentPassword: z.string().min(1).max(1024), newPassword: PASSWORD })
  .strict()
  .refine((b) => b.currentPassword !== b.newPassword, {
    path: ["newPassword"],
    message: "must differ from the current password",
  });
const codeBody = z.object({ code: z.string().trim().min(6).max(64) });
const tokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    permissions: z.array(z.string()).max(50).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

/** Tokens of a tenant user live under its tenant; a super admin's under none. */
function ownerTenant(p: Principal) {
  return p.kind === "user" ? eq(apiTokens.tenantId, p.tenantId) : isNull(apiTokens.tenantId);
}

export const auth = new Hono<AppEnv>()
  .post("/login", login)

  .post("/logout", async (c) => {
    const p = c.var.principal;
    if (!p?.loginId) throw new ApiError("UNAUTHORIZED", "Not logged in with a cookie");
    await revokeLogin(c, p.loginId, "logout", p.id);
    deleteCookie(c, SID_COOKIE, { path: "/" });
    if (p.kind === "user")
      await audit(c, { type: "user.logout", action: "logout", description: `${p.email} logged out` });
    else
      await platformAudit(c, { type: "user.logout", action: "logout", description: `${p.email} logged out` });
    return c.json({ ok: true });
  })

  .get("/me", async (c) => {
    const p = c.var.principal;
    if (!p)
      throw new ApiError(
        c.var.authFailure === "SESSION_EXPIRED" ? "SESSION_EXPIRED" : "UNAUTHORIZED",
        "Not logged in",
      );
    const sid = getCookie(c, SID_COOKIE);
    const csrfToken = p.via === "cookie" && sid ? await csrfTokenFor(sid) : null;
    if (p.kind === "super_admin") return c.json({ principal: p, csrfToken });
    const db = c.var.scope?.db;
    const [u] = db
      ? await db
          .select({
            avatar_url: user.avatarUrl,
            bio: user.bio,
            timezone: user.timezone,
            two_factor_enabled: user.twoFactorEnabled,
            last_login: user.lastLogin,
          })
          .from(user)
          .where(and(eq(user.id, p.id), eq(user.organizationId, p.tenantId)))
      : [];
    return c.json({ principal: { ...p, ...u }, csrfToken });
  })

  .patch("/me", async (c) => {
    const p = currentUser(c);
    const body = await readJson(c, profileBody);
    const db = c.var.scope?.db;
    if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    await db
      .update(user)
      .set({ name: body.name, avatarUrl: body.avatar_url, bio: body.bio, timezone: body.timezone })
      .where(and(eq(user.id, p.id), eq(user.organizationId, p.tenantId)));
    await audit(c, {
      type: "user.updated",
      action: "update_profile",
      description: `${p.email} updated their profile`,
      metadata: { fields: Object.keys(body) },
    });
    return c.json({ ok: true });
  })

  .post("/password", async (c) => {
    const p = c.var.principal;
    if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
    const body = await readJson(c, passwordBody);
    if (p.kind === "super_admin") {
      const [a] = await c.var.db.select().from(superAdmins).where(eq(superAdmins.id, p.id));
      if (!(await verifyPassword(body.currentPassword, a?.passwordHash)))
        throw new ApiError("INVALID_CREDENTIALS", "Current password is wrong");
      await c.var.db
        .update(superAdmins)
        .set({ passwordHash: await hashPassword(body.newPassword) })
        .where(eq(superAdmins.id, p.id));
      await platformAudit(c, {
        type: "user.password.changed",
        action: "password_change",
        description: `${p.email} changed their password`,
      });
      return c.json({ ok: true });
    }
    const u = currentUser(c, { allowPending: true });
    const db = c.var.scope?.db;
    if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    // Guessing the current password from a stolen login is brute force too: same counters as login.
    const keys = throttleKeys(u.tenantId, u.email, c.var.clientIp);
    await assertNotThrottled(c.var.db, keys);
    const [row] = await db
      .select({ hash: user.passwordHash })
      .from(user)
      .where(and(eq(user.id, u.id), eq(user.organizationId, u.tenantId)));
    if (!(await verifyPassword(body.currentPassword, row?.hash))) {
      await recordFailure(c.var.db, keys);
      await audit(c, {
        type: "user.password.changed",
        action: "password_change",
        description: `${u.email} failed to change their password: wrong current password`,
        status: "failure",
      });
      throw new ApiError("INVALID_CREDENTIALS", "Current password is wrong");
    }
    await clearFailures(c.var.db, keys);
    await db
      .update(user)
      .set({ passwordHash: await hashPassword(body.newPassword), passwordChangedAt: new Date() })
      .where(and(eq(user.id, u.id), eq(user.organizationId, u.tenantId)));
    // Every other login of this user ends: a changed password must lock out whoever knew the old one.
    const ended = await c.var.db
      .update(userSessions)
      .set({ revokedAt: new Date(), revokedReason: "password_changed", revokedBy: u.id })
      .where(
        and(
          eq(userSessions.userId, u.id),
          eq(userSessions.tenantId, u.tenantId),
          isNull(userSessions.revokedAt),
          u.loginId ? ne(userSessions.id, u.loginId) : undefined,
        ),
      )
      .returning({ id: userSessions.id });
    await audit(c, {
      type: "user.password.changed",
      action: "password_change",
      description: `${u.email} changed their password`,
      metadata: { otherLoginsEnded: ended.length },
    });
    return c.json({ ok: true, otherLoginsEnded: ended.length });
  })

  .post("/2fa/enroll", async (c) => {
    const u = currentUser(c, { allowPending: true });
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const mine = and(eq(user.id, u.id), eq(user.organizationId, u.tenantId));
    const [row] = await scope.db.select({ enabled: user.twoFactorEnabled }).from(user).where(mine);
    if (row?.enabled) throw new ApiError("CONFLICT", "Two-factor authentication is already enabled");
    const secret = newTotpSecret();
    await scope.db
      .update(user)
      .set({ twoFactorPendingSecret: await encryptForTenant(c.env, scope.tenant, secret) })
      .where(mine);
    return c.json({ secret, otpauthUri: otpauthUri(secret, u.email) });
  })

  .post("/2fa/verify", async (c) => {
    const u = currentUser(c, { allowPending: true });
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const { code } = await readJson(c, codeBody);
    const mine = and(eq(user.id, u.id), eq(user.organizationId, u.tenantId));
    const [row] = await scope.db.select().from(user).where(mine);
    if (!row?.twoFactorPendingSecret)
      throw new ApiError("INVALID_STATE", "Start with POST /api/auth/2fa/enroll");
    const secret = await decryptForTenant(c.env, scope.tenant, row.twoFactorPendingSecret);
    if (!verifyTotp(secret.reveal(), code, u.email))
      throw new ApiError("VALIDATION_ERROR", "Wrong code", {
        fields: [{ path: "code", message: "does not match", code: "custom" }],
      });
    const recovery = await newRecoveryCodes();
    await scope.db
      .update(user)
      .set({
        twoFactorEnabled: true,
        twoFactorSecret: row.twoFactorPendingSecret,
        twoFactorPendingSecret: null,
        twoFactorRecoveryCodes: recovery.hashed,
      })
      .where(mine);
    if (u.loginId)
      await c.var.db.update(userSessions).set({ pendingStep: null }).where(eq(userSessions.id, u.loginId));
    await audit(c, {
      type: "user.2fa.enabled",
      action: "2fa_enable",
      description: `${u.email} enabled two-factor authentication`,
    });
    return c.json({ enabled: true, recoveryCodes: recovery.plain });
  })

  .post("/2fa/disable", async (c) => {
    const u = currentUser(c);
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const { code } = await readJson(c, codeBody);
    const mine = and(eq(user.id, u.id), eq(user.organizationId, u.tenantId));
    const [row] = await scope.db.select().from(user).where(mine);
    if (!row?.twoFactorEnabled || !row.twoFactorSecret)
      throw new ApiError("INVALID_STATE", "Two-factor authentication is not enabled");
    if ((await loadOrganization(scope.db, scope.tenant.id)).settings.require_2fa) {
      throw new ApiError("FORBIDDEN", "Your organization requires two-factor authentication");
    }
    const keys = throttleKeys(u.tenantId, u.email, c.var.clientIp);
    await assertNotThrottled(c.var.db, keys);
    const secret = await decryptForTenant(c.env, scope.tenant, row.twoFactorSecret);
    const byRecovery = (row.twoFactorRecoveryCodes ?? []).includes(await hashRecoveryCode(code));
    if (!verifyTotp(secret.reveal(), code, u.email) && !byRecovery) {
      await recordFailure(c.var.db, keys);
      throw new ApiError("INVALID_CREDENTIALS", "Wrong code");
    }
    await scope.db
      .update(user)
      .set({
        twoFactorEnabled: false,
        twoFactorSecret: null,
        twoFactorPendingSecret: null,
        twoFactorRecoveryCodes: null,
      })
      .where(mine);
    await audit(c, {
      type: "user.2fa.disabled",
      action: "2fa_disable",
      description: `${u.email} disabled two-factor authentication`,
    });
    return c.json({ enabled: false });
  })

  .get("/tokens", async (c) => {
    const p = c.var.principal;
    if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
    if (p.kind === "user") currentUser(c);
    const rows = await c.var.db
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        prefix: apiTokens.prefix,
        permissions: apiTokens.permissions,
        lastUsedAt: apiTokens.lastUsedAt,
        expiresAt: apiTokens.expiresAt,
        revokedAt: apiTokens.revokedAt,
        createdAt: apiTokens.createdAt,
      })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, p.id), ownerTenant(p)))
      .orderBy(desc(apiTokens.createdAt));
    return c.json({ data: rows });
  })

  .post("/tokens", async (c) => {
    const p = c.var.principal;
    if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
    if (p.via === "bearer") throw new ApiError("FORBIDDEN", "API tokens cannot mint API tokens");
    const body = await readJson(c, tokenBody);
    let permissions: string[] = [];
    if (p.kind === "user") {
      currentUser(c);
      if (!c.var.tenant?.features.includes(FEATURES.API_TOKENS))
        throw new ApiError(
          "FEATURE_DISABLED",
          `The feature "${FEATURES.API_TOKENS}" is not enabled for this tenant`,
          {
            feature: FEATURES.API_TOKENS,
          },
        );
      const wanted = body.permissions ?? p.permissions;
      const unknown = wanted.filter((x) => !isPermission(x));
      if (unknown.length)
        throw new ApiError("VALIDATION_ERROR", "Unknown permissions", {
          fields: [{ path: "permissions", message: `unknown: ${unknown.join(", ")}`, code: "custom" }],
        });
      const beyond = wanted.filter((x) => !p.permissions.includes(x as never));
      if (beyond.length)
        throw new ApiError("FORBIDDEN", "A token can only carry permissions you have", { beyond });
      permissions = [...new Set(wanted)];
    }
    const token = newApiToken();
    const [row] = await c.var.db
      .insert(apiTokens)
      .values({
        principalType: p.kind === "user" ? "tenant_user" : "super_admin",
        userId: p.id,
        tenantId: p.kind === "user" ? p.tenantId : null,
        name: body.name,
        prefix: token.slice(0, 8),
        tokenHash: await hashToken(token),
        permissions,
        expiresAt: body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : null,
      })
      .returning({
        id: apiTokens.id,
        name: apiTokens.name,
        prefix: apiTokens.prefix,
        permissions: apiTokens.permissions,
        expiresAt: apiTokens.expiresAt,
        createdAt: apiTokens.createdAt,
      });
    if (p.kind === "user")
      await audit(c, {
        type: "api_token.created",
        action: "create",
        description: `${p.email} created API token "${body.name}"`,
        metadata: { tokenId: row?.id, permissions },
      });
    else
      await platformAudit(c, {
        type: "api_token.created",
        action: "create",
        description: `${p.email} created API token "${body.name}"`,
        metadata: { tokenId: row?.id },
      });
    return c.json({ ...row, token }, 201);
  })

  .delete("/tokens/:id", async (c) => {
    const p = c.var.principal;
    if (!p) throw new ApiError("UNAUTHORIZED", "Authentication required");
    if (p.kind === "user") currentUser(c);
    const id = idParam(c);
    const rows = await c.var.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(eq(apiTokens.id, id), eq(apiTokens.userId, p.id), ownerTenant(p), isNull(apiTokens.revokedAt)),
      )
      .returning({ id: apiTokens.id });
    if (!rows.length) throw new ApiError("NOT_FOUND", "No such token");
    if (p.kind === "user")
      await audit(c, {
        type: "api_token.revoked",
        action: "revoke",
        description: `${p.email} revoked an API token`,
        metadata: { tokenId: id },
      });
    else
      await platformAudit(c, {
        type: "api_token.revoked",
        action: "revoke",
        description: `${p.email} revoked an API token`,
        metadata: { tokenId: id },
      });
    return c.json({ ok: true });
  });
