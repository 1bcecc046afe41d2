// /api/agents: enrolment tokens (Admins), enrolment (the agent, with a one-time token), the signed control
// link upgrade (the agent), the tenant's agents with online state and host facts, and revocation.

import { Permission } from "@nostromo/permissions";
import { EnrollRequestSchema, EnrollResponseSchema } from "@nostromo/protocol";
import { Hono } from "hono";
import { VERIFIED_AGENT_HEADER } from "../agent-link/verified.ts";
import { recordAudit } from "../audit/audit.ts";
import { requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { check, idParam, readJson, readQuery } from "../lib/validate.ts";
import { openTenantDb } from "../middleware/database.ts";
import { requestInfo, requestTenant, tenantContext } from "../tenancy/context.ts";
import { enrollAgent, verifyAgentLink } from "./enrolment.ts";
import { AgentPage, AgentQuery, EnrollmentToken, EnrollmentTokenBody, Revoked } from "./schemas.ts";
import { createEnrollmentToken, listAgents, revokeAgent } from "./service.ts";

const tag = "Agents";

export const agentsRoutes = new Hono<AppEnv>()
  .post(
    "/enrollment-tokens",
    op({
      tag,
      summary: "Create a one-time agent enrolment token",
      description: "The token is shown in this answer only; the body may be omitted (defaults apply).",
      access: "settings:manage",
      body: EnrollmentTokenBody,
      responses: { 201: EnrollmentToken },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const body = c.req.header("content-type")
        ? await readJson(c, EnrollmentTokenBody)
        : check(EnrollmentTokenBody, {}, "invalid");
      return c.json(await createEnrollmentToken(requestTenant(c), body), 201);
    },
  )

  .post(
    "/enroll",
    op({
      tag,
      summary: "Enrol an agent with a one-time token",
      description: "The agent's wire format (camelCase, as the agent sends and reads it).",
      access: "public (the enrolment token)",
      body: EnrollRequestSchema,
      responses: { 201: EnrollResponseSchema },
      errors: ["VALIDATION_ERROR", "ENROLLMENT_TOKEN_INVALID", "PLAN_LIMIT"],
    }),
    async (c) => {
      const body = await readJson(c, EnrollRequestSchema);
      const { agentId, tenant } = await enrollAgent(c.var.db, body);
      const ctx = tenantContext({
        env: c.env,
        tenant,
        db: await openTenantDb(c, tenant),
        control: c.var.db,
        actor: { kind: "agent", id: agentId },
      });
      await recordAudit(
        { ...ctx, request: requestInfo(c) },
        {
          type: "agent.enrolled",
          action: "enroll",
          description: `Agent ${body.hostname} enrolled`,
          userId: null,
          metadata: { agentId, hostname: body.hostname, version: body.version },
        },
      );
      return c.json({ agentId, tenantId: tenant.id }, 201);
    },
  )

  .get(
    "/link",
    op({
      tag,
      summary: "The agent's control link (WebSocket, signed headers)",
      access: "an enrolled agent",
      responses: { 101: "websocket" },
      errors: ["UNAUTHORIZED", "UPGRADE_REQUIRED", "TENANT_SUSPENDED"],
    }),
    async (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new ApiError("UPGRADE_REQUIRED", "The agent link is a WebSocket");
      }
      const verified = await verifyAgentLink(c.var.db, (name) => c.req.header(name));
      const headers = new Headers(c.req.raw.headers);
      headers.set(VERIFIED_AGENT_HEADER, JSON.stringify(verified));
      const stub = c.env.AGENT_LINK.get(c.env.AGENT_LINK.idFromName(verified.agentId));
      return stub.fetch(new Request(c.req.raw, { headers }));
    },
  )

  .get(
    "/",
    op({
      tag,
      summary: "List the organization's agents with online state and latest metrics",
      access: "connection:read",
      query: AgentQuery,
      responses: { 200: AgentPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.READ_CONNECTION),
    async (c) => c.json(await listAgents(requestTenant(c), readQuery(c, AgentQuery))),
  )

  .delete(
    "/:id",
    op({
      tag,
      summary: "Revoke an agent: its link closes at once and its credential stops working",
      access: "settings:manage",
      responses: { 200: Revoked },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => c.json(await revokeAgent(requestTenant(c), idParam(c))),
  );
