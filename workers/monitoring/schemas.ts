// The contract of GET /api/admin/monitoring (the Command Center's charts): each agent's latest values and
// its history, metric names as the seed's SystemHealth writes them.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const MonitoringQuery = pageQuery.extend({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24)
    .describe("How far back the history reaches"),
  tenant_id: Id.optional(),
  agent_id: Id.optional(),
});
export type MonitoringQuery = z.output<typeof MonitoringQuery>;

const metrics = {
  cpu_load_pct: z.number().nullable(),
  memory_usage_pct: z.number().nullable(),
  disk_usage_pct: z.number().nullable(),
  active_connections: z.number().int().nullable(),
};

export const MetricSample = z
  .object({ recorded_at: Timestamp, resolution: z.enum(["raw", "5m", "1h"]), ...metrics })
  .meta({ id: "MetricSample" });
export type MetricSample = z.infer<typeof MetricSample>;

export const AgentMonitoring = z
  .object({
    id: Id,
    name: z.string(),
    hostname: z.string().nullable(),
    version: z.string().nullable(),
    status: z.enum(["active", "revoked"]),
    tenant: z.object({ id: Id, subdomain: z.string() }),
    online: z.boolean(),
    last_seen_at: Timestamp.nullable(),
    /** The last metrics frame; null before the first. */
    latest: z.object({ ...metrics, reported_at: Timestamp }).nullable(),
    /** Raw samples of the last hour, then 5-minute and hourly averages, oldest first. */
    history: z.array(MetricSample),
  })
  .meta({ id: "AgentMonitoring" });
export type AgentMonitoring = z.infer<typeof AgentMonitoring>;

export const AgentMonitoringPage = pageSchema(AgentMonitoring);
