// GET /api/admin/monitoring (super admins): every agent's latest values and its history for the Command
// Center charts (raw samples of the last hour, then 5-minute and hourly averages).
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { agents } from "../../../db/schema/control/agents.ts";
import { agentHealth, agentMetrics } from "../../../db/schema/control/monitoring.ts";
import { tenants } from "../../../db/schema/control/tenants.ts";
import { ONLINE_WINDOW_MS } from "../../agents/online.ts";
import { requireSuperAdmin } from "../../auth/guard.ts";
import type { AppEnv } from "../../env.ts";
import { readQuery } from "../../lib/validate.ts";

const query = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  tenantId: z.uuid().optional(),
  agentId: z.uuid().optional(),
});

export const adminMonitoring = new Hono<AppEnv>().use("*", requireSuperAdmin()).get("/", async (c) => {
  const q = readQuery(c, query);
  const where = and(
    q.tenantId ? eq(agents.tenantId, q.tenantId) : undefined,
    q.agentId ? eq(agents.id, q.agentId) : undefined,
  );
  const rows = await c.var.db
    .select({
      agentId: agents.id,
      name: agents.name,
      status: agents.status,
      hostname: agents.hostname,
      version: agents.version,
      tenantId: agents.tenantId,
      tenantSubdomain: tenants.subdomain,
      lastSeenAt: agents.lastSeenAt,
      connected: agentHealth.connected,
      lastHeartbeatAt: agentHealth.lastHeartbeatAt,
      cpu_load_pct: agentHealth.cpuLoadPct,
      memory_usage_pct: agentHealth.memoryUsagePct,
      disk_usage_pct: agentHealth.diskUsagePct,
      active_connections: agentHealth.activeConnections,
      reportedAt: agentHealth.reportedAt,
    })
    .from(agents)
    .innerJoin(tenants, eq(tenants.id, agents.tenantId))
    .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
    .where(where);
  const ids = rows.map((r) => r.agentId);
  const history = ids.length
    ? await c.var.db
        .select({
          agentId: agentMetrics.agentId,
          t: agentMetrics.recordedAt,
          resolution: agentMetrics.resolution,
          cpu_load_pct: agentMetrics.cpuLoadPct,
          memory_usage_pct: agentMetrics.memoryUsagePct,
          disk_usage_pct: agentMetrics.diskUsagePct,
          active_connections: agentMetrics.activeConnections,
        })
        .from(agentMetrics)
        .where(
          and(
            inArray(agentMetrics.agentId, ids),
            gt(agentMetrics.recordedAt, new Date(Date.now() - q.hours * 3_600_000)),
          ),
        )
        .orderBy(asc(agentMetrics.recordedAt))
    : [];
  const now = Date.now();
  return c.json({
    agents: rows.map((r) => ({
      agentId: r.agentId,
      name: r.name,
      hostname: r.hostname,
      version: r.version,
      status: r.status,
      tenant: { id: r.tenantId, subdomain: r.tenantSubdomain },
      online:
        r.status === "active" &&
        Boolean(r.connected) &&
        !!r.lastHeartbeatAt &&
        now - r.lastHeartbeatAt.getTime() < ONLINE_WINDOW_MS,
      lastSeenAt: r.lastSeenAt,
      latest: r.reportedAt
        ? {
            cpu_load_pct: r.cpu_load_pct,
            memory_usage_pct: r.memory_usage_pct,
            disk_usage_pct: r.disk_usage_pct,
            active_connections: r.active_connections,
            reportedAt: r.reportedAt,
          }
        : null,
      history: history.filter((h) => h.agentId === r.agentId).map(({ agentId: _a, ...h }) => h),
    })),
  });
});
