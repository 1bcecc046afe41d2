// Agents of a tenant: enrolment tokens, the list with online state, revocation (which closes the agent's
// link at once through its AgentLink object). For a tenant context, so any caller can use them.

import { randomToken } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import { hashToken } from "../auth/tokens.ts";
import { iso, isoOrNull, type PageQuery, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { isOnline } from "./online.ts";
import type { Agent, EnrollmentTokenBody } from "./schemas.ts";
import { type AgentRow, agentStore } from "./store.ts";

export const TOKEN_PREFIX = "nse_";

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function presentHostFacts(f: Record<string, unknown> | null): Agent["host_facts"] {
  if (!f) return null;
  return {
    name: text(f.name),
    platform: text(f.platform),
    arch: text(f.arch),
    uptime_sec: num(f.uptimeSec),
    memory_total_bytes: num(f.memoryTotalBytes),
    disk_total_bytes: num(f.diskTotalBytes),
  };
}

export function presentAgent(a: AgentRow, now: number): Agent {
  return {
    id: a.id,
    name: a.name,
    status: a.status,
    hostname: a.hostname,
    os: a.os,
    version: a.version,
    host_facts: presentHostFacts(a.hostFacts),
    online: isOnline(a, now),
    last_seen_at: isoOrNull(a.lastSeenAt),
    last_connected_at: isoOrNull(a.lastConnectedAt),
    last_heartbeat_at: isoOrNull(a.lastHeartbeatAt),
    revoked_at: isoOrNull(a.revokedAt),
    created_at: iso(a.createdAt),
    metrics: a.reportedAt
      ? {
          cpu_load_pct: a.cpuLoadPct,
          memory_usage_pct: a.memoryUsagePct,
          disk_usage_pct: a.diskUsagePct,
          active_connections: a.activeConnections,
          reported_at: iso(a.reportedAt),
        }
      : null,
  };
}

export async function listAgents(ctx: TenantContext, q: PageQuery) {
  const { rows, total } = await agentStore(ctx).list(q);
  const now = Date.now();
  return pageOf(
    q,
    rows.map((r) => presentAgent(r, now)),
    total,
  );
}

export async function createEnrollmentToken(ctx: TenantContext, body: EnrollmentTokenBody) {
  const token = `${TOKEN_PREFIX}${randomToken(24)}`;
  const expiresAt = new Date(Date.now() + body.expires_in_minutes * 60_000);
  const id = await agentStore(ctx).createToken({
    tokenHash: await hashToken(token),
    name: body.name ?? null,
    createdByUserId: ctx.actor.kind === "user" ? ctx.actor.id : null,
    expiresAt,
  });
  const who = ctx.actor.kind === "user" ? ctx.actor.email : "the platform";
  await recordAudit(ctx, {
    type: "agent.enrolled",
    action: "create_enrollment_token",
    description: `${who} created an agent enrolment token${body.name ? ` "${body.name}"` : ""}`,
    metadata: { tokenId: id, expiresAt: expiresAt.toISOString() },
  });
  return { id, token, expires_at: iso(expiresAt) };
}

export async function revokeAgent(ctx: TenantContext, id: string) {
  const row = await agentStore(ctx).revoke(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such agent");
  const who = ctx.actor.kind === "user" ? ctx.actor.email : "the platform";
  const closed = await ctx.env.AGENT_LINK.get(ctx.env.AGENT_LINK.idFromName(id)).revoke(`revoked by ${who}`);
  await recordAudit(ctx, {
    type: "agent.revoked",
    action: "revoke",
    description: `${who} revoked agent ${row.hostname ?? id}`,
    metadata: { agentId: id, socketsClosed: closed },
  });
  return { revoked: { id, sockets_closed: closed } };
}
