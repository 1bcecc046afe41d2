// /api/users: a tenant's people — list, read, create, update, soft delete, unlock — always scoped to the
// request's tenant (another tenant's user id is simply 404).

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { guardOf, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { User, UserCreate, UserDeleted, UserPage, UserQuery, UserUnlocked, UserUpdate } from "./schemas.ts";
import { createUser, deleteUser, getUser, listUsers, unlockUser, updateUser } from "./service.ts";

const TAG = "Users";

export const usersRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag: TAG,
      summary: "List the organization's users",
      access: "user:read",
      query: UserQuery,
      responses: { 200: UserPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.READ_USER),
    async (c) => c.json(await listUsers(requestTenant(c), readQuery(c, UserQuery))),
  )
  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "Read a user",
      access: "user:read",
      responses: { 200: User },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.READ_USER),
    async (c) => c.json(await getUser(requestTenant(c), idParam(c))),
  )
  .post(
    "/",
    op({
      tag: TAG,
      summary: "Create a user",
      description: "Refused with 403 PLAN_LIMIT past the plan's max_users; the role may not go beyond yours.",
      access: "user:create",
      body: UserCreate,
      responses: { 201: User },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "CONFLICT", "PLAN_LIMIT"],
    }),
    requirePermission(Permission.CREATE_USER),
    async (c) => {
      const body = await readJson(c, UserCreate);
      return c.json(await createUser(requestTenant(c), guardOf(c), body), 201);
    },
  )
  .patch(
    "/:id",
    op({
      tag: TAG,
      summary: "Change a user",
      description:
        "Changing role_id needs user:manage_roles too. A new password or a deactivation ends the user's " +
        "logins. Your own password changes through POST /api/auth/password.",
      access: "user:update",
      body: UserUpdate,
      responses: { 200: User },
      errors: ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "CONFLICT", "INVALID_STATE"],
    }),
    requirePermission(Permission.UPDATE_USER),
    async (c) => {
      const id = idParam(c);
      const body = await readJson(c, UserUpdate);
      return c.json(await updateUser(requestTenant(c), guardOf(c), id, body));
    },
  )
  .delete(
    "/:id",
    op({
      tag: TAG,
      summary: "Delete a user (soft)",
      description: "Ends the user's logins and live sockets and revokes their API tokens.",
      access: "user:delete",
      responses: { 200: UserDeleted },
      errors: ["FORBIDDEN", "NOT_FOUND", "INVALID_STATE"],
    }),
    requirePermission(Permission.DELETE_USER),
    async (c) => c.json(await deleteUser(requestTenant(c), guardOf(c), idParam(c))),
  )
  .post(
    "/:id/unlock",
    op({
      tag: TAG,
      summary: "Clear a user's failed-login throttle",
      description: "Every counter of the account: all addresses and the account-wide one. Audited.",
      access: "user:update",
      responses: { 200: UserUnlocked },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.UPDATE_USER),
    async (c) => c.json(await unlockUser(requestTenant(c), guardOf(c), idParam(c))),
  );
