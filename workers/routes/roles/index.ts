// /api/roles: the three predefined roles (shared, immutable) and the organization's custom roles, which
// MANAGE_ROLES creates, changes and deletes. Permissions are checked against the seed's enum and may not go
// beyond the caller's own; a role still held by a user cannot be deleted. Every change drops the role cache.

import { ALL_PERMISSIONS, isPermission, Permission, PREDEFINED_ROLES } from "@nostromo/permissions";
import { and, asc, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { role } from "../../../db/schema/tenant/role.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { assertWithinOwn, currentUser, requirePermission } from "../../auth/guard.ts";
import { invalidateRole } from "../../auth/roles.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { idParam, readJson } from "../../lib/validate.ts";

const permissionsField = z
  .array(z.string())
  .max(100)
  .superRefine((list, ctx) => {
    list.forEach((p, i) => {
      if (!isPermission(p))
        ctx.addIssue({ code: "custom", path: [i], message: `unknown permission "${p.slice(0, 64)}"` });
    });
  })
  .transform((list) => ALL_PERMISSIONS.filter((p) => list.includes(p)));

const NAME = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters");
const COLOR = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a hex colour like "#5bc2e7"');

const createBody = z
  .object({
    name: NAME,
    description: z.string().trim().max(500).optional(),
    permissions: permissionsField,
    color: COLOR.optional(),
  })
  .strict();

const updateBody = z
  .object({
    name: NAME.optional(),
    description: z.string().trim().max(500).optional(),
    permissions: permissionsField.optional(),
    color: COLOR.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "name at least one field to change");

function tenantOf(c: Context<AppEnv>) {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return scope;
}

/** Roles this tenant sees: the predefined ones and its own. */
function visible(tenantId: string): SQL | undefined {
  return or(isNull(role.organizationId), eq(role.organizationId, tenantId));
}

function columns(tenantId: string) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    color: role.color,
    is_system: role.isSystem,
    organization_id: role.organizationId,
    created_at: role.createdAt,
    updated_at: role.updatedAt,
    // Spelled out: inside a subquery drizzle would print role.id unqualified, i.e. as the user's id.
    user_count: sql<number>`(select count(*)::int from "user" u where u.role_id = "role"."id"
      and u.organization_id = ${tenantId} and u.deleted_at is null)`,
  };
}

type RoleRow = { name: string; is_system: boolean; permissions: string[] };

function present<T extends RoleRow>(r: T) {
  const predefined = r.is_system ? PREDEFINED_ROLES.find((x) => x.name === r.name) : undefined;
  return { ...r, own_only: predefined ? [...predefined.ownOnly] : [] };
}

async function findRole(c: Context<AppEnv>, id: string) {
  const { db, tenant } = tenantOf(c);
  const [row] = await db
    .select(columns(tenant.id))
    .from(role)
    .where(and(eq(role.id, id), visible(tenant.id)));
  if (!row) throw new ApiError("NOT_FOUND", "No such role");
  return row;
}

/** 409 when the name is a predefined role's or another custom role's of the organization (any case). */
async function assertNameFree(c: Context<AppEnv>, name: string, exceptId?: string) {
  const { db, tenant } = tenantOf(c);
  const [taken] = await db
    .select({ id: role.id })
    .from(role)
    .where(
      and(
        visible(tenant.id),
        sql`lower(${role.name}) = lower(${name})`,
        exceptId ? ne(role.id, exceptId) : undefined,
      ),
    );
  if (taken) throw new ApiError("CONFLICT", `A role named "${name}" already exists`, { field: "name" });
}

function isUniqueViolation(err: unknown): boolean {
  let e = err as { code?: string; cause?: unknown } | undefined;
  while (e && !e.code && e.cause) e = e.cause as { code?: string; cause?: unknown };
  return e?.code === "23505";
}

async function mutableRole(c: Context<AppEnv>, id: string) {
  const row = await findRole(c, id);
  if (row.is_system || row.organization_id === null)
    throw new ApiError("FORBIDDEN", `${row.name} is a predefined role and cannot be changed`);
  return row;
}

export const rolesRoutes = new Hono<AppEnv>()
  .get("/", requirePermission(Permission.READ_USER), async (c) => {
    const { db, tenant } = tenantOf(c);
    const rows = await db
      .select(columns(tenant.id))
      .from(role)
      .where(visible(tenant.id))
      .orderBy(desc(role.isSystem), asc(role.name));
    return c.json({ data: rows.map(present), permissions: ALL_PERMISSIONS });
  })

  .get("/:id", requirePermission(Permission.READ_USER), async (c) =>
    c.json(present(await findRole(c, idParam(c)))),
  )

  .post("/", requirePermission(Permission.MANAGE_ROLES), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const body = await readJson(c, createBody);
    await assertWithinOwn(c, p, body.permissions, `create a role with ${body.permissions.join(", ")}`);
    await assertNameFree(c, body.name);
    const inserted = await db
      .insert(role)
      .values({
        organizationId: tenant.id,
        name: body.name,
        description: body.description ?? "",
        permissions: body.permissions,
        color: body.color,
        isSystem: false,
      })
      .returning({ id: role.id })
      .catch((err: unknown) => {
        throw isUniqueViolation(err)
          ? new ApiError("CONFLICT", `A role named "${body.name}" already exists`, { field: "name" })
          : err;
      });
    const id = inserted[0]?.id as string;
    invalidateRole(id);
    await audit(c, {
      type: "role.created",
      action: "create",
      description: `${p.email} created the role ${body.name}`,
      metadata: { roleId: id, name: body.name, permissions: body.permissions },
    });
    return c.json(present(await findRole(c, id)), 201);
  })

  .patch("/:id", requirePermission(Permission.MANAGE_ROLES), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const id = idParam(c);
    const body = await readJson(c, updateBody);
    const before = await mutableRole(c, id);
    await assertWithinOwn(c, p, before.permissions, `change the role ${before.name}`);
    if (body.permissions)
      await assertWithinOwn(c, p, body.permissions, `give the role ${body.permissions.join(", ")}`);
    if (body.name && body.name !== before.name) await assertNameFree(c, body.name, id);
    await db
      .update(role)
      .set({
        name: body.name,
        description: body.description,
        permissions: body.permissions,
        color: body.color,
      })
      .where(and(eq(role.id, id), eq(role.organizationId, tenant.id)))
      .catch((err: unknown) => {
        throw isUniqueViolation(err) ? new ApiError("CONFLICT", "A role with that name already exists") : err;
      });
    invalidateRole(id);
    const after = await findRole(c, id);
    await audit(c, {
      type: "role.updated",
      action: "update",
      description: `${p.email} updated the role ${after.name}`,
      metadata: {
        roleId: id,
        fields: Object.keys(body),
        before: { name: before.name, permissions: before.permissions, color: before.color },
        after: { name: after.name, permissions: after.permissions, color: after.color },
      },
    });
    return c.json(present(after));
  })

  .delete("/:id", requirePermission(Permission.MANAGE_ROLES), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const id = idParam(c);
    const r = await mutableRole(c, id);
    await assertWithinOwn(c, p, r.permissions, `delete the role ${r.name}`);
    if (r.user_count > 0) {
      throw new ApiError(
        "CONFLICT",
        `The role ${r.name} is held by ${r.user_count} user(s); reassign them first`,
        {
          users: r.user_count,
        },
      );
    }
    await db.transaction(async (tx) => {
      const inUse = await tx
        .select({ id: user.id })
        .from(user)
        .where(and(eq(user.roleId, id), eq(user.organizationId, tenant.id), isNull(user.deletedAt)))
        .limit(1)
        .for("update");
      if (inUse.length)
        throw new ApiError("CONFLICT", `The role ${r.name} is in use; reassign its users first`);
      // Soft-deleted users still reference their last role; they keep the least privileged one instead.
      const [observer] = await tx
        .select({ id: role.id })
        .from(role)
        .where(and(isNull(role.organizationId), eq(role.name, "Observer")));
      if (observer)
        await tx
          .update(user)
          .set({ roleId: observer.id })
          .where(and(eq(user.roleId, id), eq(user.organizationId, tenant.id)));
      await tx.delete(role).where(and(eq(role.id, id), eq(role.organizationId, tenant.id)));
    });
    invalidateRole(id);
    await audit(c, {
      type: "role.deleted",
      action: "delete",
      description: `${p.email} deleted the role ${r.name}`,
      metadata: { roleId: id, name: r.name, permissions: r.permissions },
    });
    return c.json({ deleted: { id, name: r.name } });
  });
