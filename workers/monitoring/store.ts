// Monitoring's reads of the control plane: agents with their tenant and latest health, and the metric
// history of a set of agents since a time. Cross-tenant by nature: only super admins reach them.
import { and, asc, count, eq, gt, inArray } from "drizzle-orm";
import { agents } from "../../db/schema/control/agents.ts";
import { agentHealth, agentMetrics } from "../../db/schema/control/monitoring.ts";
import { tenants } from "../../db/schema/control/tenants.ts";
import { pageOffset } from "../contract/schemas.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import type { MonitoringQuery } from "./schemas.ts";

export function monitoringStore(ctx: PlatformContext) {
  const db = ctx.control;
  return {
    async agents(q: MonitoringQuery) {
      const where = and(
        q.tenant_id ? eq(agents.tenantId, q.tenant_id) : undefined,
        q.agent_id ? eq(agents.id, q.agent_id) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select({
            agent: {
              id: agents.id,
              name: agents.name,
              status: agents.status,
              hostname: agents.hostname,
              version: agents.version,
              tenantId: agents.tenantId,
              lastSeenAt: agents.lastSeenAt,
            },
            tenantSubdomain: tenants.subdomain,
            health: {
              connected: agentHealth.connected,
              lastHeartbeatAt: agentHealth.lastHeartbeatAt,
              cpuLoadPct: agentHealth.cpuLoadPct,
              memoryUsagePct: agentHealth.memoryUsagePct,
              diskUsagePct: agentHealth.diskUsagePct,
              activeConnections: agentHealth.activeConnections,
              reportedAt: agentHealth.reportedAt,
            },
          })
          .from(agents)
          .innerJoin(tenants, eq(tenants.id, agents.tenantId))
          .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
          .where(where)
          .orderBy(asc(agents.createdAt), asc(agents.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(agents).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async history(agentIds: string[], since: Date) {
      if (!agentIds.length) return [];
      return db
        .select({
          agentId: agentMetrics.agentId,
          recordedAt: agentMetrics.recordedAt,
          resolution: agentMetrics.resolution,
          cpuLoadPct: agentMetrics.cpuLoadPct,
          memoryUsagePct: agentMetrics.memoryUsagePct,
          diskUsagePct: agentMetrics.diskUsagePct,
          activeConnections: agentMetrics.activeConnections,
        })
        .from(agentMetrics)
        .where(and(inArray(agentMetrics.agentId, agentIds), gt(agentMetrics.recordedAt, since)))
        .orderBy(asc(agentMetrics.recordedAt));
    },
  };
}
type Store = ReturnType<typeof monitoringStore>;
export type AgentRow = Awaited<ReturnType<Store["agents"]>>["rows"][number];
export type SampleRow = Awaited<ReturnType<Store["history"]>>[number];
