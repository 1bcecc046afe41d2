// GET /api/admin/monitoring (super admins): every agent's latest values and its history for the Command
// Center charts (raw samples of the last hour, then 5-minute and hourly averages).
import { Hono } from "hono";
import { requireSuperAdmin } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../lib/validate.ts";
import { requestPlatform } from "../tenancy/platform-context.ts";
import { AgentMonitoringPage, MonitoringQuery } from "./schemas.ts";
import { agentMonitoring } from "./service.ts";

export const monitoringRoutes = new Hono<AppEnv>().use("*", requireSuperAdmin()).get(
  "/",
  op({
    tag: "Command Center",
    summary: "Agents' health: online state, latest metrics and history",
    access: "super admin",
    query: MonitoringQuery,
    responses: { 200: AgentMonitoringPage },
    errors: ["FORBIDDEN", "VALIDATION_ERROR"],
  }),
  async (c) => c.json(await agentMonitoring(requestPlatform(c), readQuery(c, MonitoringQuery))),
);
