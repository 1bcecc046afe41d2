// People management of one tenant (data model USER): list, read, create, update, soft delete, unlock.
// Nobody grants or touches more than they hold themselves (Guard.withinOwn); changing a role needs
// user:manage_roles too; nobody deactivates, deletes or re-passwords themselves here; the last active Admin
// stays. A reset password, a deactivation or a deletion ends the user's logins at once.

import { Permission } from "@nostromo/permissions";
import { recordAudit } from "../audit/audit.ts";
import type { Guard } from "../auth/guard.ts";
import { endUserLogins } from "../auth/logins.ts";
import { hashPassword } from "../auth/password.ts";
import { isAdminRole, type RoleRecord, roleForTenant } from "../auth/roles.ts";
import { unlockAccount } from "../auth/throttle.ts";
import { tokenStore } from "../auth/token-store.ts";
import { iso, isoOrNull, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { User, UserCreate, UserQuery, UserUpdate } from "./schemas.ts";
import { type UserWithRole, userStore } from "./store.ts";

export function presentUser({ user: u, roleName }: UserWithRole): User {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    avatar_url: u.avatarUrl,
    bio: u.bio,
    timezone: u.timezone,
    role_id: u.roleId,
    role_name: roleName,
    organization_id: u.organizationId,
    is_active: u.isActive,
    two_factor_enabled: u.twoFactorEnabled,
    last_login: isoOrNull(u.lastLogin),
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
  };
}

const noSuchUser = () => new ApiError("NOT_FOUND", "No such user");
const roleNotFound = () =>
  new ApiError("VALIDATION_ERROR", "No such role in this organization", {
    fields: [{ path: "role_id", message: "no such role in this organization", code: "custom" }],
  });

export async function listUsers(ctx: TenantContext, q: UserQuery) {
  const { rows, total } = await userStore(ctx).list(q);
  return pageOf(q, rows.map(presentUser), total);
}

export async function getUser(ctx: TenantContext, id: string): Promise<User> {
  const row = await userStore(ctx).get(id);
  if (!row) throw noSuchUser();
  return presentUser(row);
}

async function loadTarget(ctx: TenantContext, id: string) {
  const target = await userStore(ctx).row(id);
  if (!target) throw noSuchUser();
  const targetRole = await roleForTenant(ctx.db, target.roleId, ctx.tenant.id);
  if (!targetRole) throw new ApiError("INTERNAL_ERROR", "The user's role is missing");
  return { target, targetRole };
}

export async function createUser(ctx: TenantContext, guard: Guard, body: UserCreate): Promise<User> {
  const r = await roleForTenant(ctx.db, body.role_id, ctx.tenant.id);
  if (!r) throw roleNotFound();
  await guard.withinOwn(r.permissions, `assign the role ${r.name}`);
  // Hashed before the transaction: the organization row stays locked for milliseconds, not bcrypt's 100.
  const passwordHash = await hashPassword(body.password);
  let id: string;
  try {
    id = await userStore(ctx).create({
      email: body.email,
      passwordHash,
      name: body.name,
      roleId: r.id,
      timezone: body.timezone,
      avatarUrl: body.avatar_url ?? null,
      bio: body.bio ?? null,
      isActive: body.is_active ?? true,
    });
  } catch (err) {
    if (err instanceof ApiError && err.code === "PLAN_LIMIT") {
      await recordAudit(ctx, {
        type: "user.created",
        action: "create",
        description: `Creating ${body.email} refused: the plan's user limit is reached`,
        status: "failure",
        errorMessage: err.message,
        metadata: { email: body.email, reason: "plan_limit" },
      });
    }
    throw err;
  }
  await recordAudit(ctx, {
    type: "user.created",
    action: "create",
    description: `${guard.user.email} created ${body.email} (${r.name})`,
    metadata: { targetUserId: id, email: body.email, role: { id: r.id, name: r.name } },
  });
  return getUser(ctx, id);
}

export async function updateUser(
  ctx: TenantContext,
  guard: Guard,
  id: string,
  body: UserUpdate,
): Promise<User> {
  const p = guard.user;
  const { target, targetRole } = await loadTarget(ctx, id);
  await guard.withinOwn(targetRole.permissions, `change ${target.email}`);
  let newRole: RoleRecord | null = null;
  if (body.role_id !== undefined && body.role_id !== target.roleId) {
    await guard.require(Permission.MANAGE_ROLES);
    newRole = await roleForTenant(ctx.db, body.role_id, ctx.tenant.id);
    if (!newRole) throw roleNotFound();
    await guard.withinOwn(newRole.permissions, `assign the role ${newRole.name}`);
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
  await userStore(ctx).changeGuarded(
    id,
    {
      email: body.email,
      name: body.name,
      timezone: body.timezone,
      avatarUrl: body.avatar_url,
      bio: body.bio,
      isActive: body.is_active,
      roleId: newRole?.id,
      ...(passwordHash ? { passwordHash, passwordChangedAt: new Date() } : {}),
    },
    { lastAdmin: losesAdmin ? targetRole.id : null, email: emailChanges ? body.email : undefined },
  );
  // A reset password or a deactivation must end whatever logins the user still has.
  const ended =
    passwordHash || body.is_active === false
      ? await endUserLogins(ctx, ctx.tenant.id, id, passwordHash ? "password_reset" : "deactivated", p.id)
      : null;
  const fields = Object.keys(body).filter((k) => k !== "role_id");
  if (fields.length) {
    await recordAudit(ctx, {
      type: "user.updated",
      action: "update",
      description: `${p.email} updated ${target.email}`,
      metadata: {
        targetUserId: id,
        fields,
        ...(emailChanges ? { email: { from: target.email, to: body.email } } : {}),
        ...(body.is_active !== undefined ? { is_active: { from: target.isActive, to: body.is_active } } : {}),
        ...(ended ? { loginsEnded: ended.logins } : {}),
      },
    });
  }
  if (passwordHash) {
    await recordAudit(ctx, {
      type: "user.password.changed",
      action: "password_reset",
      description: `${p.email} set a new password for ${target.email}`,
      metadata: { targetUserId: id },
    });
  }
  if (newRole) {
    await recordAudit(ctx, {
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
  return getUser(ctx, id);
}

export async function deleteUser(ctx: TenantContext, guard: Guard, id: string) {
  const p = guard.user;
  const { target, targetRole } = await loadTarget(ctx, id);
  if (id === p.id) throw new ApiError("INVALID_STATE", "You cannot delete yourself", { reason: "self" });
  await guard.withinOwn(targetRole.permissions, `delete ${target.email}`);
  await userStore(ctx).changeGuarded(
    id,
    {},
    { lastAdmin: isAdminRole(targetRole) && target.isActive ? targetRole.id : null, softDelete: true },
  );
  const ended = await endUserLogins(ctx, ctx.tenant.id, id, "user_deleted", p.id);
  const tokens = await tokenStore(ctx.control).revokeAll({ kind: "user", id, tenantId: ctx.tenant.id });
  await recordAudit(ctx, {
    type: "user.deleted",
    action: "delete",
    description: `${p.email} deleted ${target.email}`,
    metadata: { targetUserId: id, email: target.email, ...ended, tokensRevoked: tokens },
  });
  return {
    deleted: { id, email: target.email },
    ended: { logins: ended.logins, sockets: ended.sockets, tokens },
  };
}

/**
 * Clears every failed-login counter of one of the tenant's users — all addresses and the account-wide
 * one — so an Admin can let a person back in at once after a brute-force attack instead of waiting for the
 * 15-minute window.
 */
export async function unlockUser(ctx: TenantContext, guard: Guard, id: string) {
  const u = await userStore(ctx).row(id);
  if (!u) throw noSuchUser();
  const cleared = await unlockAccount(ctx.control, ctx.tenant.id, u.email);
  await recordAudit(ctx, {
    type: "user.updated",
    action: "unlock",
    description: `${guard.user.email} cleared the failed-login throttle of ${u.email}`,
    category: "security",
    metadata: { targetUserId: u.id, email: u.email, clearedFailures: cleared },
  });
  return { unlocked: { id: u.id, email: u.email }, cleared_failures: cleared };
}
