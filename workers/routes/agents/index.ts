// /api/agents: enrolment tokens (Admins), enrolment (the agent, with a one-time token), the signed control
// link upgrade (the agent), the tenant's agents with online state and host facts, and revocation.

import { decodeBase64, randomToken } from "@nostromo/crypto";
import { Permission } from "@nostromo/permissions";
import {
  agentLinkSigningBytes,
  EnrollRequestSchema,
  isAgentLinkTimestampFresh,
  readAgentLinkHeaders,
} from "@nostromo/protocol";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { agentEnrollmentTokens, agents } from "../../../db/schema/control/agents.ts";
import { agentHealth } from "../../../db/schema/control/monitoring.ts";
import { VERIFIED_AGENT_HEADER } from "../../agent-link/agent-link.ts";
import { audit } from "../../audit/audit.ts";
import { currentUser, requirePermission } from "../../auth/guard.ts";
import { hashToken } from "../../auth/tokens.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { check, idParam, readJson } from "../../lib/validate.ts";

import { openTenantDb } from "../../middleware/database.ts";
import { findTenant, isUuid } from "../../tenancy/tenant-record.ts";

export const ONLINE_WINDOW_MS = 60_000;
/** Per-tenant bound on active agents: what one tenant's agents can cost the edge is this many times the
 * per-agent bound of the AgentLink (workers/agent-link/limits.ts). */
export const MAX_ACTIVE_AGENTS_PER_TENANT = 500;
const TOKEN_PREFIX = "nse_";

const tokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    expiresInMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
  })
  .strict();

function invalidToken(): ApiError {
  return new ApiError("ENROLLMENT_TOKEN_INVALID", "The enrolment token is unknown, already used or expired");
}

async function verifySignature(
  publicKeyB64: string,
  signatureB64u: string,
  data: Uint8Array,
): Promise<boolean> {
  const pub = decodeBase64(publicKeyB64);
  const sig = decodeBase64(signatureB64u);
  if (!pub || pub.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, data);
  } catch {
    return false;
  }
}

export const agentsRoutes = new Hono<AppEnv>()
  .post("/enrollment-tokens", requirePermission(Permission.MANAGE_SETTINGS), async (c) => {
    const u = currentUser(c);
    const body = c.req.header("content-type")
      ? await readJson(c, tokenBody)
      : check(tokenBody, {}, "invalid");
    const token = `${TOKEN_PREFIX}${randomToken(24)}`;
    const expiresAt = new Date(Date.now() + body.expiresInMinutes * 60_000);
    const [row] = await c.var.db
      .insert(agentEnrollmentTokens)
      .values({
        tenantId: u.tenantId,
        tokenHash: await hashToken(token),
        name: body.name ?? null,
        createdByUserId: u.id,
        expiresAt,
      })
      .returning({ id: agentEnrollmentTokens.id });
    await audit(c, {
      type: "agent.enrolled",
      action: "create_enrollment_token",
      description: `${u.email} created an agent enrolment token${body.name ? ` "${body.name}"` : ""}`,
      metadata: { tokenId: row?.id, expiresAt: expiresAt.toISOString() },
    });
    return c.json({ id: row?.id, token, expiresAt: expiresAt.toISOString() }, 201);
  })

  .post("/enroll", async (c) => {
    const body = await readJson(c, EnrollRequestSchema);
    if (!body.token.startsWith(TOKEN_PREFIX)) throw invalidToken();
    const hash = await hashToken(body.token);
    // Checked before the token is claimed, so a refused enrolment does not spend it.
    const [pending] = await c.var.db
      .select({ tenantId: agentEnrollmentTokens.tenantId })
      .from(agentEnrollmentTokens)
      .where(eq(agentEnrollmentTokens.tokenHash, hash));
    if (pending) {
      const [{ n }] = (await c.var.db
        .select({ n: sql<number>`count(*)::int` })
        .from(agents)
        .where(and(eq(agents.tenantId, pending.tenantId), eq(agents.status, "active")))) as [{ n: number }];
      if (n >= MAX_ACTIVE_AGENTS_PER_TENANT)
        throw new ApiError(
          "PLAN_LIMIT",
          `This organization already has ${MAX_ACTIVE_AGENTS_PER_TENANT} active agents; revoke one first`,
        );
    }
    // Claiming the token and checking it are one statement: two racing enrolments cannot both win.
    const [claimed] = await c.var.db
      .update(agentEnrollmentTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(agentEnrollmentTokens.tokenHash, hash),
          isNull(agentEnrollmentTokens.usedAt),
          gt(agentEnrollmentTokens.expiresAt, sql`now()`),
        ),
      )
      .returning({
        id: agentEnrollmentTokens.id,
        tenantId: agentEnrollmentTokens.tenantId,
        name: agentEnrollmentTokens.name,
      });
    if (!claimed) throw invalidToken();
    const tenant = await findTenant(c.var.db, claimed.tenantId);
    if (!tenant || tenant.status !== "active") throw invalidToken();
    const [agent] = await c.var.db
      .insert(agents)
      .values({
        tenantId: tenant.id,
        name: body.name ?? claimed.name ?? body.hostname,
        publicKey: body.publicKey,
        hostname: body.hostname,
        os: body.os,
        version: body.version,
      })
      .returning({ id: agents.id });
    if (!agent) throw new Error("agent insert returned nothing");
    await c.var.db
      .update(agentEnrollmentTokens)
      .set({ usedByAgentId: agent.id })
      .where(eq(agentEnrollmentTokens.id, claimed.id));
    await audit(
      c,
      {
        type: "agent.enrolled",
        action: "enroll",
        description: `Agent ${body.hostname} enrolled`,
        userId: null,
        metadata: { agentId: agent.id, hostname: body.hostname, version: body.version },
      },
      { tenant, db: await openTenantDb(c, tenant) },
    );
    return c.json({ agentId: agent.id, tenantId: tenant.id }, 201);
  })

  .get("/link", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("UPGRADE_REQUIRED", "The agent link is a WebSocket");
    }
    const h = readAgentLinkHeaders((name) => c.req.header(name));
    if (!h.ok) throw new ApiError("UNAUTHORIZED", `Agent authentication: ${h.error}`);
    const { agentId, timestamp, nonce, signature } = h.msg;
    const refused = new ApiError("UNAUTHORIZED", "Unknown, revoked or unverifiable agent");
    if (!isUuid(agentId)) throw refused;
    const [agent] = await c.var.db.select().from(agents).where(eq(agents.id, agentId));
    if (!agent || agent.status !== "active") throw refused;
    if (!isAgentLinkTimestampFresh(timestamp, Date.now())) {
      throw new ApiError("UNAUTHORIZED", "Agent clock skew too large or stale signature");
    }
    if (
      !(await verifySignature(agent.publicKey, signature, agentLinkSigningBytes(agentId, timestamp, nonce)))
    )
      throw refused;
    const tenant = await findTenant(c.var.db, agent.tenantId);
    if (!tenant) throw refused;
    if (tenant.status === "suspended") throw new ApiError("TENANT_SUSPENDED", "This tenant is suspended");
    const headers = new Headers(c.req.raw.headers);
    headers.set(VERIFIED_AGENT_HEADER, JSON.stringify({ agentId, tenantId: agent.tenantId, nonce }));
    const stub = c.env.AGENT_LINK.get(c.env.AGENT_LINK.idFromName(agentId));
    return stub.fetch(new Request(c.req.raw, { headers }));
  })

  .get("/", requirePermission(Permission.READ_CONNECTION), async (c) => {
    const u = currentUser(c);
    const rows = await c.var.db
      .select({
        id: agents.id,
        name: agents.name,
        status: agents.status,
        hostname: agents.hostname,
        os: agents.os,
        version: agents.version,
        hostFacts: agents.hostFacts,
        lastSeenAt: agents.lastSeenAt,
        lastConnectedAt: agents.lastConnectedAt,
        revokedAt: agents.revokedAt,
        createdAt: agents.createdAt,
        connected: agentHealth.connected,
        lastHeartbeatAt: agentHealth.lastHeartbeatAt,
        cpu_load_pct: agentHealth.cpuLoadPct,
        memory_usage_pct: agentHealth.memoryUsagePct,
        disk_usage_pct: agentHealth.diskUsagePct,
        active_connections: agentHealth.activeConnections,
        reportedAt: agentHealth.reportedAt,
      })
      .from(agents)
      .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
      .where(eq(agents.tenantId, u.tenantId))
      .orderBy(desc(agents.createdAt));
    const now = Date.now();
    return c.json({
      data: rows.map(
        ({
          connected,
          lastHeartbeatAt,
          cpu_load_pct,
          memory_usage_pct,
          disk_usage_pct,
          active_connections,
          reportedAt,
          ...a
        }) => ({
          ...a,
          online:
            a.status === "active" &&
            Boolean(connected) &&
            !!lastHeartbeatAt &&
            now - lastHeartbeatAt.getTime() < ONLINE_WINDOW_MS,
          lastHeartbeatAt,
          metrics: reportedAt
            ? { cpu_load_pct, memory_usage_pct, disk_usage_pct, active_connections, reportedAt }
            : null,
        }),
      ),
    });
  })

  .delete("/:id", requirePermission(Permission.MANAGE_SETTINGS), async (c) => {
    const u = currentUser(c);
    const id = idParam(c);
    const [row] = await c.var.db
      .update(agents)
      .set({ status: "revoked", revokedAt: new Date() })
      .where(and(eq(agents.id, id), eq(agents.tenantId, u.tenantId)))
      .returning({ id: agents.id, hostname: agents.hostname });
    if (!row) throw new ApiError("NOT_FOUND", "No such agent");
    const stub = c.env.AGENT_LINK.get(c.env.AGENT_LINK.idFromName(id));
    const closed = await stub.revoke(`revoked by ${u.email}`);
    await audit(c, {
      type: "agent.revoked",
      action: "revoke",
      description: `${u.email} revoked agent ${row.hostname ?? id}`,
      metadata: { agentId: id, socketsClosed: closed },
    });
    return c.json({ revoked: { id, socketsClosed: closed } });
  });
