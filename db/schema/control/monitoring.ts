// monitoring.agent_health (latest per agent), monitoring.agent_metrics (bounded, downsampled history),
// monitoring.error_log, and monitoring.v_dashboard_summary (the seed's DashboardSummary).
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { monitoringSchema } from "./schemas.ts";

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const metricResolutionEnum = monitoringSchema.enum("metric_resolution", ["raw", "5m", "1h"]);

export const agentHealth = monitoringSchema.table(
  "agent_health",
  {
    agentId: uuid("agent_id").primaryKey(),
    tenantId: uuid("tenant_id").notNull(),
    cpuLoadPct: real("cpu_load_pct"),
    memoryUsagePct: real("memory_usage_pct"),
    diskUsagePct: real("disk_usage_pct"),
    activeConnections: integer("active_connections"),
    hostname: text("hostname"),
    // True while the agent's control link is open (set by its AgentLink object on connect/close).
    connected: boolean("connected").notNull().default(false),
    reportedAt: tstz("reported_at"),
    lastHeartbeatAt: tstz("last_heartbeat_at"),
  },
  (t) => [index("idx_agent_health_tenant").on(t.tenantId)],
);

export const agentMetrics = monitoringSchema.table(
  "agent_metrics",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agentId: uuid("agent_id").notNull(),
    tenantId: uuid("tenant_id").notNull(),
    resolution: metricResolutionEnum("resolution").notNull().default("raw"),
    recordedAt: tstz("recorded_at").notNull().defaultNow(),
    cpuLoadPct: real("cpu_load_pct"),
    memoryUsagePct: real("memory_usage_pct"),
    diskUsagePct: real("disk_usage_pct"),
    activeConnections: integer("active_connections"),
  },
  (t) => [index("idx_agent_metrics_agent_time").on(t.agentId, t.resolution, t.recordedAt.desc())],
);

export const errorLog = monitoringSchema.table(
  "error_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id"),
    agentId: uuid("agent_id"),
    source: text("source").notNull(),
    level: text("level").notNull().default("error"),
    message: text("message").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [index("idx_error_log_created_at").on(t.createdAt.desc())],
);

// An agent counts toward system_health while its link is open and its last heartbeat is under a minute old. With no agent
// online the health fields are NULL (avg/sum over nothing), never invented zeros.
export const vDashboardSummary = monitoringSchema
  .view("v_dashboard_summary", {
    totalTenants: integer("total_tenants").notNull(),
    activeUsers: integer("active_users").notNull(),
    cpuLoadPct: integer("cpu_load_pct"),
    memoryUsagePct: integer("memory_usage_pct"),
    diskUsagePct: integer("disk_usage_pct"),
    activeConnections: integer("active_connections"),
    onlineAgents: integer("online_agents").notNull(),
    errors24h: integer("errors_24h").notNull(),
  })
  .as(sql`
    select
      (select count(*) from command.tenants t where t.deleted_at is null and t.status <> 'failed')::int as total_tenants,
      (select count(distinct (s.principal_type, s.user_id)) from auth.v_active_sessions s)::int as active_users,
      (select round(avg(h.cpu_load_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as cpu_load_pct,
      (select round(avg(h.memory_usage_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as memory_usage_pct,
      (select round(avg(h.disk_usage_pct)::numeric)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as disk_usage_pct,
      (select sum(h.active_connections)::int from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds') as active_connections,
      (select count(*) from monitoring.agent_health h where h.connected and h.last_heartbeat_at > now() - interval '60 seconds')::int as online_agents,
      (select count(*) from monitoring.error_log e where e.created_at > now() - interval '24 hours')::int as errors_24h
  `);
