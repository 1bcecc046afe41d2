// Monitoring for the Command Center: a page of agents, each with whether it is online, its latest metrics
// and its history over the asked hours. Takes a PlatformContext (control-plane work, no tenant).
import { iso, isoOrNull, pageOf } from "../contract/schemas.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import { isOnline } from "./online.ts";
import type { AgentMonitoring, MetricSample, MonitoringQuery } from "./schemas.ts";
import { type AgentRow, monitoringStore, type SampleRow } from "./store.ts";

export function presentSample(s: SampleRow): MetricSample {
  return {
    recorded_at: iso(s.recordedAt),
    resolution: s.resolution,
    cpu_load_pct: s.cpuLoadPct,
    memory_usage_pct: s.memoryUsagePct,
    disk_usage_pct: s.diskUsagePct,
    active_connections: s.activeConnections,
  };
}

export function presentAgent(
  { agent: a, tenantSubdomain, health: h }: AgentRow,
  history: SampleRow[],
  now: number,
): AgentMonitoring {
  return {
    id: a.id,
    name: a.name,
    hostname: a.hostname,
    version: a.version,
    status: a.status,
    tenant: { id: a.tenantId, subdomain: tenantSubdomain },
    online: isOnline(
      { status: a.status, connected: h?.connected ?? null, lastHeartbeatAt: h?.lastHeartbeatAt ?? null },
      now,
    ),
    last_seen_at: isoOrNull(a.lastSeenAt),
    latest: h?.reportedAt
      ? {
          cpu_load_pct: h.cpuLoadPct,
          memory_usage_pct: h.memoryUsagePct,
          disk_usage_pct: h.diskUsagePct,
          active_connections: h.activeConnections,
          reported_at: iso(h.reportedAt),
        }
      : null,
    history: history.map(presentSample),
  };
}

export async function agentMonitoring(ctx: PlatformContext, q: MonitoringQuery) {
  const store = monitoringStore(ctx);
  const { rows, total } = await store.agents(q);
  const now = Date.now();
  const samples = await store.history(
    rows.map((r) => r.agent.id),
    new Date(now - q.hours * 3_600_000),
  );
  const byAgent = new Map<string, SampleRow[]>();
  for (const s of samples) {
    const list = byAgent.get(s.agentId);
    if (list) list.push(s);
    else byAgent.set(s.agentId, [s]);
  }
  return pageOf(
    q,
    rows.map((r) => presentAgent(r, byAgent.get(r.agent.id) ?? [], now)),
    total,
  );
}
