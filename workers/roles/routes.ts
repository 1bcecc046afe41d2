// /api/roles: the predefined roles and the organization's custom roles. Reading needs user:read; creating,
// changing and deleting custom roles needs user:manage_roles.

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { guardOf, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { Role, RoleCreate, RoleDeleted, RolePage, RoleQuery, RoleUpdate } from "./schemas.ts";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "./service.ts";

const TAG = "Roles";

export const rolesRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag: TAG,
      summary: "List the roles the organization may assign, and every permission",
      access: "user:read",
      query: RoleQuery,
      responses: { 200: RolePage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.READ_USER),
    async (c) => c.json(await listRoles(requestTenant(c), readQuery(c, RoleQuery))),
  )
  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "Read a role",
      access: "user:read",
      responses: { 200: Role },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.READ_USER),
    async (c) => c.json(await getRole(requestTenant(c), idParam(c))),
  )
  .post(
    "/",
    op({
      tag: TAG,
      summary: "Create a custom role",
      description: "Its permissions may not go beyond yours.",
      access: "user:manage_roles",
      body: RoleCreate,
      responses: { 201: Role },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "CONFLICT"],
    }),
    requirePermission(Permission.MANAGE_ROLES),
    async (c) => {
      const body = await readJson(c, RoleCreate);
      return c.json(await createRole(requestTenant(c), guardOf(c), body), 201);
    },
  )
  .patch(
    "/:id",
    op({
      tag: TAG,
      summary: "Change a custom role",
      description: "Predefined roles cannot be changed (403). Takes effect on its holders' next request.",
      access: "user:manage_roles",
      body: RoleUpdate,
      responses: { 200: Role },
      errors: ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "CONFLICT"],
    }),
    requirePermission(Permission.MANAGE_ROLES),
    async (c) => {
      const id = idParam(c);
      const body = await readJson(c, RoleUpdate);
      return c.json(await updateRole(requestTenant(c), guardOf(c), id, body));
    },
  )
  .delete(
    "/:id",
    op({
      tag: TAG,
      summary: "Delete a custom role",
      description: "409 CONFLICT while a user holds it.",
      access: "user:manage_roles",
      responses: { 200: RoleDeleted },
      errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
    }),
    requirePermission(Permission.MANAGE_ROLES),
    async (c) => c.json(await deleteRole(requestTenant(c), guardOf(c), idParam(c))),
  );
