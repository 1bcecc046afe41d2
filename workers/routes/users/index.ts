// /api/users: a tenant's people (data model USER) — list, read, create, update, soft delete — always scoped
// to the request's tenant (another tenant's user id is simply 404). Never returns password_hash, the 2FA
// secret or recovery codes. Changing a role needs MANAGE_ROLES too; nobody grants or touches more than
// they hold themselves; nobody deactivates or deletes themselves; the last active Admin stays.

import { Permission } from "@nostromo/permissions";
import { and, asc, count, eq, ilike, isNull, ne, or, type SQL } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import { apiTokens } from "../../../db/schema/control/auth.ts";
import { organization } from "../../../db/schema/tenant/organization.ts";
import { role } from "../../../db/schema/tenant/role.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { assertPermission, assertWithinOwn, currentUser, requirePermission } from "../../auth/guard.ts";
import { endUserLogins } from "../../auth/logins.ts";
import { hashPassword } from "../../auth/password.ts";
import { isAdminRole, type RoleRecord, roleForTenant } from "../../auth/roles.ts";
import { AVATAR_URL, BIO, EMAIL, NAME, PASSWORD, TIMEZONE } from "../../auth/user-fields.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { containsPattern } from "../../lib/like.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  active: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  role: z.uuid().optional(),
  search: z.string().trim().min(1).max(100).optional(),
});

const createBody = z
  .object({
    email: EMAIL,
    password: PASSWORD,
    name: NAME,
    role_id: z.uuid(),
    timezone: TIMEZONE.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    is_active: z.boolean().optional(),
  })
  .strict();

const updateBody = z
  .object({
    email: EMAIL.optional(),
    password: PASSWORD.optional(),
    name: NAME.optional(),
    role_id: z.uuid().optional(),
    timezone: TIMEZONE.optional(),
    avatar_url: AVATAR_URL.nullable().optional(),
    bio: BIO.nullable().optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");

// Everything a client may see of a user; the secrets are simply never selected.
const columns = {
  id: user.id,
  email: user.email,
  name: user.name,
  avatar_url: user.avatarUrl,
  bio: user.bio,
  timezone: user.timezone,
  role_id: user.roleId,
  role_name: role.name,
  organization_id: user.organizationId,
  is_active: user.isActive,
  two_factor_enabled: user.twoFactorEnabled,
  last_login: user.lastLogin,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
};

function tenantOf(c: Context<AppEnv>) {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return scope;
}

function live(tenantId: string, id?: string): SQL | undefined {
  return and(eq(user.organizationId, tenantId), isNull(user.deletedAt), id ? eq(user.id, id) : undefined);
}

async function getUser(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select(columns)
    .from(user)
    .innerJoin(role, eq(role.id, user.roleId))
    .where(live(tenantId, id));
  if (!row) throw new ApiError("NOT_FOUND", "No such user");
  return row;
}

function roleNotFound(): ApiError {
  return new ApiError("VALIDATION_ERROR", "No such role in this organization", {
    fields: [{ path: "role_id", message: "no such role in this organization", code: "custom" }],
  });
}

function isUniqueViolation(err: unknown): boolean {
  let e = err as { code?: string; cause?: unknown } | undefined;
  while (e && !e.code && e.cause) e = e.cause as { code?: string; cause?: unknown };
  return e?.code === "23505";
}

function duplicateEmail(): ApiError {
  return new ApiError("CONFLICT", "A user with this email already exists in the organization", {
    field: "email",
  });
}

/** Inside a transaction: the organization keeps an active Admin besides `userId`, or 409. */
async function assertAnotherAdmin(tx: Tx, tenantId: string, adminRoleId: string, userId: string) {
  // Every active Admin row is locked in one order, so two demotions racing cannot both pass.
  const admins = await tx
    .select({ id: user.id })
    .from(user)
    .where(and(live(tenantId), eq(user.roleId, adminRoleId), eq(user.isActive, true)))
    .orderBy(asc(user.id))
    .for("update");
  if (!admins.some((a) => a.id !== userId)) {
    throw new ApiError("INVALID_STATE", "This is the last active Admin of the organization", {
      reason: "last_admin",
    });
  }
}

async function loadTarget(db: Db, tenantId: string, id: string) {
  const [target] = await db
    .select({ id: user.id, email: user.email, roleId: user.roleId, isActive: user.isActive })
    .from(user)
    .where(live(tenantId, id));
  if (!target) throw new ApiError("NOT_FOUND", "No such user");
  const targetRole = await roleForTenant(db, target.roleId, tenantId);
  if (!targetRole) throw new ApiError("INTERNAL_ERROR", "The user's role is missing");
  return { target, targetRole };
}

export const usersRoutes = new Hono<AppEnv>()
  .get("/", requirePermission(Permission.READ_USER), async (c) => {
    const { db, tenant } = tenantOf(c);
    const q = readQuery(c, listQuery);
    const pattern = q.search ? containsPattern(q.search) : null;
    const where = and(
      live(tenant.id),
      q.active === undefined ? undefined : eq(user.isActive, q.active),
      q.role ? eq(user.roleId, q.role) : undefined,
      pattern ? or(ilike(user.email, pattern), ilike(user.name, pattern)) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      db
        .select(columns)
        .from(user)
        .innerJoin(role, eq(role.id, user.roleId))
        .where(where)
        .orderBy(asc(user.createdAt), asc(user.id))
        .limit(q.pageSize)
        .offset(pageOffset(q)),
      db.select({ n: count() }).from(user).where(where),
    ]);
    return c.json(pageOf(q, rows, total?.n));
  })

  .get("/:id", requirePermission(Permission.READ_USER), async (c) => {
    const { db, tenant } = tenantOf(c);
    return c.json(await getUser(db, tenant.id, idParam(c)));
  })

  .post("/", requirePermission(Permission.CREATE_USER), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const body = await readJson(c, createBody);
    const r = await roleForTenant(db, body.role_id, tenant.id);
    if (!r) throw roleNotFound();
    await assertWithinOwn(c, p, r.permissions, `assign the role ${r.name}`);
    // Hashed before the transaction: the organization row stays locked for milliseconds, not bcrypt's 100.
    const passwordHash = await hashPassword(body.password);
    let id: string;
    try {
      id = await db.transaction(async (tx) => {
        // The organization row is the lock that keeps two concurrent creations from both fitting the plan.
        const [org] = await tx
          .select({ maxUsers: organization.maxUsers })
          .from(organization)
          .where(eq(organization.id, tenant.id))
          .for("update");
        if (!org) throw new ApiError("TENANT_NOT_FOUND", "The organization is missing");
        const [used] = await tx.select({ n: count() }).from(user).where(live(tenant.id));
        const n = used?.n ?? 0;
        if (n >= org.maxUsers) {
          throw new ApiError("PLAN_LIMIT", `Your plan allows ${org.maxUsers} users and you have ${n}`, {
            limit: "max_users",
            max: org.maxUsers,
            current: n,
          });
        }
        const [dup] = await tx
          .select({ id: user.id })
          .from(user)
          .where(and(live(tenant.id), eq(user.email, body.email)));
        if (dup) throw duplicateEmail();
        const [row] = await tx
          .insert(user)
          .values({
            email: body.email,
            passwordHash,
            name: body.name,
            roleId: r.id,
            organizationId: tenant.id,
            timezone: body.timezone,
            avatarUrl: body.avatar_url ?? null,
            bio: body.bio ?? null,
            isActive: body.is_active ?? true,
          })
          .returning({ id: user.id });
        if (!row) throw new Error("user insert returned nothing");
        return row.id;
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === "PLAN_LIMIT") {
        await audit(c, {
          type: "user.created",
          action: "create",
          description: `Creating ${body.email} refused: the plan's user limit is reached`,
          status: "failure",
          errorMessage: err.message,
          metadata: { email: body.email, reason: "plan_limit" },
        });
      }
      throw isUniqueViolation(err) ? duplicateEmail() : err;
    }
    await audit(c, {
      type: "user.created",
      action: "create",
      description: `${p.email} created ${body.email} (${r.name})`,
      metadata: { targetUserId: id, email: body.email, role: { id: r.id, name: r.name } },
    });
    return c.json(await getUser(db, tenant.id, id), 201);
  })

  .patch("/:id", requirePermission(Permission.UPDATE_USER), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const id = idParam(c);
    const body = await readJson(c, updateBody);
    const { target, targetRole } = await loadTarget(db, tenant.id, id);
    await assertWithinOwn(c, p, targetRole.permissions, `change ${target.email}`);
    let newRole: RoleRecord | null = null;
    if (body.role_id !== undefined && body.role_id !== target.roleId) {
      await assertPermission(c, p, Permission.MANAGE_ROLES);
      newRole = await roleForTenant(db, body.role_id, tenant.id);
      if (!newRole) throw roleNotFound();
      await assertWithinOwn(c, p, newRole.permissions, `assign the role ${newRole.name}`);
    }
    if (id === p.id && body.is_active === false)
      throw new ApiError("INVALID_STATE", "You cannot deactivate yourself", { reason: "self" });
    // Your own password changes through POST /api/auth/password, which asks for the current one: a stolen
    // login must not be enough to take the account over.
    if (id === p.id && body.password !== undefined)
      throw new ApiError("VALIDATION_ERROR", "Change your own password with POST /api/auth/password", {
        fields: [{ path: "password", message: "use POST /api/auth/password for your own", code: "custom" }],
      });
    const losesAdmin =
      isAdminRole(targetRole) &&
      target.isActive &&
      ((newRole !== null && !isAdminRole(newRole)) || body.is_active === false);
    const passwordHash = body.password ? await hashPassword(body.password) : undefined;
    const emailChanges = body.email !== undefined && body.email !== target.email;
    try {
      await db.transaction(async (tx) => {
        if (losesAdmin) await assertAnotherAdmin(tx, tenant.id, targetRole.id, id);
        if (emailChanges) {
          const [dup] = await tx
            .select({ id: user.id })
            .from(user)
            .where(and(live(tenant.id), eq(user.email, body.email as string), ne(user.id, id)));
          if (dup) throw duplicateEmail();
        }
        await tx
          .update(user)
          .set({
            email: body.email,
            name: body.name,
            timezone: body.timezone,
            avatarUrl: body.avatar_url,
            bio: body.bio,
            isActive: body.is_active,
            roleId: newRole?.id,
            ...(passwordHash ? { passwordHash, passwordChangedAt: new Date() } : {}),
          })
          .where(live(tenant.id, id));
      });
    } catch (err) {
      throw isUniqueViolation(err) ? duplicateEmail() : err;
    }
    // A reset password or a deactivation must end whatever logins the user still has.
    const ended =
      passwordHash || body.is_active === false
        ? await endUserLogins(c, tenant.id, id, passwordHash ? "password_reset" : "deactivated", p.id)
        : null;
    const fields = Object.keys(body).filter((k) => k !== "role_id" || newRole);
    if (fields.some((f) => f !== "role_id")) {
      await audit(c, {
        type: "user.updated",
        action: "update",
        description: `${p.email} updated ${target.email}`,
        metadata: {
          targetUserId: id,
          fields: fields.filter((f) => f !== "role_id"),
          ...(emailChanges ? { email: { from: target.email, to: body.email } } : {}),
          ...(body.is_active !== undefined
            ? { is_active: { from: target.isActive, to: body.is_active } }
            : {}),
          ...(ended ? { loginsEnded: ended.logins } : {}),
        },
      });
    }
    if (passwordHash) {
      await audit(c, {
        type: "user.password.changed",
        action: "password_reset",
        description: `${p.email} set a new password for ${target.email}`,
        metadata: { targetUserId: id },
      });
    }
    if (newRole) {
      await audit(c, {
        type: "user.role.changed",
        action: "role_change",
        description: `${p.email} changed the role of ${target.email} from ${targetRole.name} to ${newRole.name}`,
        metadata: {
          targetUserId: id,
          from: { id: targetRole.id, name: targetRole.name },
          to: { id: newRole.id, name: newRole.name },
        },
      });
    }
    return c.json(await getUser(db, tenant.id, id));
  })

  .delete("/:id", requirePermission(Permission.DELETE_USER), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const id = idParam(c);
    const { target, targetRole } = await loadTarget(db, tenant.id, id);
    if (id === p.id) throw new ApiError("INVALID_STATE", "You cannot delete yourself", { reason: "self" });
    await assertWithinOwn(c, p, targetRole.permissions, `delete ${target.email}`);
    await db.transaction(async (tx) => {
      if (isAdminRole(targetRole) && target.isActive)
        await assertAnotherAdmin(tx, tenant.id, targetRole.id, id);
      await tx.update(user).set({ deletedAt: new Date(), isActive: false }).where(live(tenant.id, id));
    });
    const ended = await endUserLogins(c, tenant.id, id, "user_deleted", p.id);
    const tokens = await c.var.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.userId, id), eq(apiTokens.tenantId, tenant.id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    await audit(c, {
      type: "user.deleted",
      action: "delete",
      description: `${p.email} deleted ${target.email}`,
      metadata: { targetUserId: id, email: target.email, ...ended, tokensRevoked: tokens.length },
    });
    return c.json({
      deleted: { id, email: target.email },
      ended: { logins: ended.logins, sockets: ended.sockets, tokens: tokens.length },
    });
  });
