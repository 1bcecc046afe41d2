// /api/connections: the seed's CONNECTION. Guards and the contract here; the work in service.ts and
// check.ts. Secrets are write-only (has_password / has_certificate); Technicians change and delete only
// their own connections (the ownership guard is handed to the service, which knows the owner).

import { Permission } from "@nostromo/permissions";
import { type Context, Hono } from "hono";
import { assertMayActOn, currentUser, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { testConnection } from "./check.ts";
import {
  Connection,
  ConnectionPage,
  ConnectionTestResult,
  createBody,
  listQuery,
  updateBody,
} from "./schemas.ts";
import {
  type Authorize,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from "./service.ts";

const tag = "Connections";

function ownerGuard(c: Context<AppEnv>, perm: Permission): Authorize {
  const user = currentUser(c);
  return (ownerId) => assertMayActOn(c, user, perm, ownerId);
}

export const connectionsRoutes = new Hono<AppEnv>()
  .get(
    "/",
    op({
      tag,
      summary: "List the organization's connections",
      access: "connection:read",
      query: listQuery,
      responses: { 200: ConnectionPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.READ_CONNECTION),
    async (c) => c.json(await listConnections(requestTenant(c), readQuery(c, listQuery))),
  )

  .get(
    "/:id",
    op({
      tag,
      summary: "Read a connection",
      access: "connection:read",
      responses: { 200: Connection },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.READ_CONNECTION),
    async (c) => c.json(await getConnection(requestTenant(c), idParam(c))),
  )

  .post(
    "/",
    op({
      tag,
      summary: "Create a connection",
      description: "The password or certificate is encrypted with the tenant's key and never returned.",
      access: "connection:create",
      body: createBody,
      responses: { 201: Connection },
      errors: ["FORBIDDEN", "VALIDATION_ERROR", "PLAN_LIMIT"],
    }),
    requirePermission(Permission.CREATE_CONNECTION),
    async (c) => c.json(await createConnection(requestTenant(c), await readJson(c, createBody)), 201),
  )

  .patch(
    "/:id",
    op({
      tag,
      summary: "Change a connection",
      description: "Moving it to another host, port or agent clears its pinned host key.",
      access: "connection:update (Technicians: their own)",
      body: updateBody,
      responses: { 200: Connection },
      errors: ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.UPDATE_CONNECTION),
    async (c) => {
      const id = idParam(c);
      const body = await readJson(c, updateBody);
      const guard = ownerGuard(c, Permission.UPDATE_CONNECTION);
      return c.json(await updateConnection(requestTenant(c), id, body, guard));
    },
  )

  .delete(
    "/:id",
    op({
      tag,
      summary: "Delete a connection",
      access: "connection:delete (Technicians: their own)",
      responses: { 204: null },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.DELETE_CONNECTION),
    async (c) => {
      await deleteConnection(requestTenant(c), idParam(c), ownerGuard(c, Permission.DELETE_CONNECTION));
      return c.body(null, 204);
    },
  )

  .post(
    "/:id/test",
    op({
      tag,
      summary: "Check a connection's stored configuration, its agent, and the server through the agent",
      description:
        "Checks status, credentials and the agent, then has the agent open TCP to the server and checks " +
        "what it says first (SSH banner, telnet negotiation, RFB version). A broken configuration answers " +
        "409 INVALID_STATE, no online agent 409 AGENT_OFFLINE, an unreachable or wrong server 502 " +
        "TARGET_UNREACHABLE, all with the checks.",
      access: "connection:read and session:start",
      responses: { 200: ConnectionTestResult },
      errors: ["FORBIDDEN", "NOT_FOUND", "INVALID_STATE", "AGENT_OFFLINE", "TARGET_UNREACHABLE"],
    }),
    requirePermission(Permission.READ_CONNECTION, Permission.START_SESSION),
    async (c) => c.json(await testConnection(requestTenant(c), idParam(c))),
  );
