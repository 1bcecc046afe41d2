// What the AgentLink object writes to PostgreSQL: link state, heartbeats, metrics (latest + history),
// agent-reported errors. One short-lived pool per write batch: a Durable Object outlives requests.
import { eq, sql } from "drizzle-orm";
import { configureNeon, createDb, type Db } from "../../db/client.ts";
import { agents } from "../../db/schema/control/agents.ts";
import { agentHealth, agentMetrics, errorLog } from "../../db/schema/control/monitoring.ts";
import type { Bindings } from "../env.ts";
import type { HelloFrame, MetricsFrame } from "../protocol/agent.ts";

export async function withDb<T>(env: Bindings, fn: (db: Db) => Promise<T>): Promise<T> {
  configureNeon(env.NEON_WS_PROXY);
  const { db, pool } = createDb(env.DATABASE_URL);
  try {
    return await fn(db);
  } finally {
    await pool.end().catch(() => {});
  }
}

export interface AgentIdentity {
  agentId: string;
  tenantId: string;
}

export async function markConnected(db: Db, a: AgentIdentity, connected: boolean): Promise<void> {
  const now = new Date();
  await db
    .insert(agentHealth)
    .values({ agentId: a.agentId, tenantId: a.tenantId, connected, lastHeartbeatAt: connected ? now : null })
    .onConflictDoUpdate({
      target: agentHealth.agentId,
      set: connected ? { connected, lastHeartbeatAt: now } : { connected },
    });
  await db
    .update(agents)
    .set(connected ? { lastConnectedAt: now, lastSeenAt: now } : { lastSeenAt: now })
    .where(eq(agents.id, a.agentId));
}

export async function recordHello(db: Db, a: AgentIdentity, hello: HelloFrame): Promise<void> {
  await db
    .update(agents)
    .set({
      hostname: hello.hostname,
      os: hello.os,
      version: hello.version,
      lastSeenAt: new Date(),
      hostFacts: {
        platform: hello.platform,
        arch: hello.arch,
        uptimeSec: hello.uptimeSec,
        name: hello.name ?? null,
      },
    })
    .where(eq(agents.id, a.agentId));
}

export async function recordHeartbeat(db: Db, a: AgentIdentity): Promise<void> {
  await db
    .update(agentHealth)
    .set({ lastHeartbeatAt: sql`now()`, connected: true })
    .where(eq(agentHealth.agentId, a.agentId));
  await db.update(agents).set({ lastSeenAt: sql`now()` }).where(eq(agents.id, a.agentId));
}

export async function recordMetrics(db: Db, a: AgentIdentity, m: MetricsFrame): Promise<void> {
  const values = {
    cpuLoadPct: m.cpu_load_pct,
    memoryUsagePct: m.memory_usage_pct,
    diskUsagePct: m.disk_usage_pct,
    activeConnections: m.active_connections,
  };
  await db
    .insert(agentHealth)
    .values({
      agentId: a.agentId,
      tenantId: a.tenantId,
      ...values,
      hostname: m.hostname,
      connected: true,
      reportedAt: new Date(),
      lastHeartbeatAt: new Date(),
    })
    .onConflictDoUpdate({
      target: agentHealth.agentId,
      set: {
        ...values,
        hostname: m.hostname,
        connected: true,
        reportedAt: sql`now()`,
        lastHeartbeatAt: sql`now()`,
      },
    });
  await db
    .insert(agentMetrics)
    .values({ agentId: a.agentId, tenantId: a.tenantId, resolution: "raw", ...values });
  await db
    .update(agents)
    .set({
      lastSeenAt: sql`now()`,
      hostFacts: sql`coalesce(${agents.hostFacts}, '{}'::jsonb) || ${JSON.stringify({
        uptimeSec: m.uptime_sec,
        memoryTotalBytes: m.memory_total_bytes,
        diskTotalBytes: m.disk_total_bytes,
      })}::jsonb`,
    })
    .where(eq(agents.id, a.agentId));
}

export async function recordAgentError(
  db: Db,
  a: AgentIdentity,
  e: { level: string; message: string; context?: Record<string, unknown> },
): Promise<void> {
  await db.insert(errorLog).values({
    tenantId: a.tenantId,
    agentId: a.agentId,
    source: "agent",
    level: e.level,
    message: e.message.slice(0, 2000),
    metadata: e.context ?? {},
  });
}

/** Bounded history: raw samples older than an hour become 5-minute averages, those older than a day
 * hourly ones, and hourly ones older than 30 days go. Run by the cron trigger. */
export async function downsampleMetrics(db: Db): Promise<void> {
  const roll = (from: string, to: string, seconds: number, olderThan: string) => sql`
    with moved as (
      delete from monitoring.agent_metrics
      where resolution = ${from}::monitoring.metric_resolution and recorded_at < now() - ${olderThan}::interval
      returning agent_id, tenant_id, recorded_at, cpu_load_pct, memory_usage_pct, disk_usage_pct, active_connections
    )
    insert into monitoring.agent_metrics (agent_id, tenant_id, resolution, recorded_at, cpu_load_pct, memory_usage_pct, disk_usage_pct, active_connections)
    select agent_id, tenant_id, ${to}::monitoring.metric_resolution,
           to_timestamp(floor(extract(epoch from recorded_at) / ${seconds}) * ${seconds}),
           avg(cpu_load_pct), avg(memory_usage_pct), avg(disk_usage_pct), max(active_connections)
    from moved group by 1, 2, 4`;
  await db.execute(roll("raw", "5m", 300, "1 hour"));
  await db.execute(roll("5m", "1h", 3600, "1 day"));
  await db.execute(
    sql`delete from monitoring.agent_metrics where resolution = '1h' and recorded_at < now() - interval '30 days'`,
  );
}
