// Roles of one tenant: the three predefined ones (shared, immutable) and its custom roles, which
// user:manage_roles creates, changes and deletes. Permissions may not go beyond the caller's own; a name is
// unique among the roles the tenant sees (any case); a role still held by a user cannot be deleted. Every
// change drops the role cache, so it takes effect on the holders' next request.

import { ALL_PERMISSIONS, isPermission, PREDEFINED_ROLES } from "@nostromo/permissions";
import { recordAudit } from "../audit/audit.ts";
import type { Guard } from "../auth/guard.ts";
import { invalidateRole } from "../auth/roles.ts";
import { iso, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { ssoStore } from "../sso/store.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { Role, RoleCreate, RoleQuery, RoleUpdate } from "./schemas.ts";
import { nameTaken, type RoleRow, roleStore } from "./store.ts";

export function presentRole({ role: r, userCount }: RoleRow): Role {
  const predefined = r.isSystem ? PREDEFINED_ROLES.find((x) => x.name === r.name) : undefined;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: r.permissions.filter(isPermission),
    own_only: predefined ? [...predefined.ownOnly] : [],
    color: r.color,
    is_system: r.isSystem,
    organization_id: r.organizationId,
    user_count: userCount,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export async function listRoles(ctx: TenantContext, q: RoleQuery) {
  const { rows, total } = await roleStore(ctx).list(q);
  return { ...pageOf(q, rows.map(presentRole), total), permissions: [...ALL_PERMISSIONS] };
}

async function findRole(ctx: TenantContext, id: string): Promise<RoleRow> {
  const row = await roleStore(ctx).find(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such role");
  return row;
}

export async function getRole(ctx: TenantContext, id: string): Promise<Role> {
  return presentRole(await findRole(ctx, id));
}

async function mutableRole(ctx: TenantContext, id: string): Promise<RoleRow> {
  const row = await findRole(ctx, id);
  if (row.role.isSystem || row.role.organizationId === null)
    throw new ApiError("FORBIDDEN", `${row.role.name} is a predefined role and cannot be changed`);
  return row;
}

export async function createRole(ctx: TenantContext, guard: Guard, body: RoleCreate): Promise<Role> {
  await guard.withinOwn(body.permissions, `create a role with ${body.permissions.join(", ")}`);
  const store = roleStore(ctx);
  if (await store.nameInUse(body.name)) throw nameTaken(body.name);
  const id = await store.insert(body);
  invalidateRole(ctx.tenant.id, id);
  await recordAudit(ctx, {
    type: "role.created",
    action: "create",
    description: `${guard.user.email} created the role ${body.name}`,
    metadata: { roleId: id, name: body.name, permissions: body.permissions },
  });
  return getRole(ctx, id);
}

export async function updateRole(ctx: TenantContext, guard: Guard, id: string, body: RoleUpdate) {
  const before = (await mutableRole(ctx, id)).role;
  await guard.withinOwn(before.permissions, `change the role ${before.name}`);
  if (body.permissions)
    await guard.withinOwn(body.permissions, `give the role ${body.permissions.join(", ")}`);
  const store = roleStore(ctx);
  if (body.name && body.name !== before.name && (await store.nameInUse(body.name, id)))
    throw nameTaken(body.name);
  await store.update(id, body);
  invalidateRole(ctx.tenant.id, id);
  const after = await findRole(ctx, id);
  await recordAudit(ctx, {
    type: "role.updated",
    action: "update",
    description: `${guard.user.email} updated the role ${after.role.name}`,
    metadata: {
      roleId: id,
      fields: Object.keys(body),
      before: { name: before.name, permissions: before.permissions, color: before.color },
      after: { name: after.role.name, permissions: after.role.permissions, color: after.role.color },
    },
  });
  return presentRole(after);
}

export async function deleteRole(ctx: TenantContext, guard: Guard, id: string) {
  const { role: r, userCount } = await mutableRole(ctx, id);
  await guard.withinOwn(r.permissions, `delete the role ${r.name}`);
  if (userCount > 0) {
    throw new ApiError(
      "CONFLICT",
      `The role ${r.name} is held by ${userCount} user(s); reassign them first`,
      {
        users: userCount,
      },
    );
  }
  if (await ssoStore(ctx).refersToRole(id)) {
    throw new ApiError("CONFLICT", `Single sign-on gives the role ${r.name}; change its role mapping first`, {
      sso: true,
    });
  }
  await roleStore(ctx).remove(id, r.name);
  invalidateRole(ctx.tenant.id, id);
  await recordAudit(ctx, {
    type: "role.deleted",
    action: "delete",
    description: `${guard.user.email} deleted the role ${r.name}`,
    metadata: { roleId: id, name: r.name, permissions: r.permissions },
  });
  return { deleted: { id, name: r.name } };
}
