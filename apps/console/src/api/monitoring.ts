// The Command Center's health figures: the dashboard summary (GET /api/admin/dashboard) and every agent's
// online state with its metric history (GET /api/admin/monitoring). Super admins only; the server enforces.
import { api, ok, type Page, type Schemas } from "./http.ts";

export type DashboardSummary = Schemas["DashboardSummary"];
export type AgentHealth = Schemas["AgentMonitoring"];
export type MetricSample = Schemas["MetricSample"];

export function getDashboard(): Promise<DashboardSummary> {
  return ok(api.GET("/api/admin/dashboard"));
}

export function getMonitoring(hours = 1, page = 1, pageSize = 50): Promise<Page<AgentHealth>> {
  return ok(api.GET("/api/admin/monitoring", { params: { query: { hours, page, page_size: pageSize } } }));
}
