// The Command Center's health figures: the dashboard summary (GET /api/admin/dashboard) and every agent's
// online state with its metric history (GET /api/admin/monitoring). Super admins only; the server enforces.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strOrNull, toPage, type Wire } from "./wire.ts";

export interface SystemHealth {
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  activeConnections: number | null;
}

export interface DashboardSummary {
  totalTenants: number;
  activeUsers: number;
  onlineAgents: number;
  errors24h: number;
  health: SystemHealth;
}

const num = (row: Wire, name: string): number | null => {
  const v = field(row, name);
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};

function toHealth(r: Wire): SystemHealth {
  return {
    cpu: num(r, "cpuLoadPct"),
    memory: num(r, "memoryUsagePct"),
    disk: num(r, "diskUsagePct"),
    activeConnections: num(r, "activeConnections"),
  };
}

export async function getDashboard(): Promise<DashboardSummary> {
  const r = await request<Wire>("GET", "/api/admin/dashboard");
  return {
    totalTenants: num(r, "totalTenants") ?? 0,
    activeUsers: num(r, "activeUsers") ?? 0,
    onlineAgents: num(r, "onlineAgents") ?? 0,
    errors24h: num(r, "errors24h") ?? 0,
    health: toHealth((field(r, "systemHealth") ?? {}) as Wire),
  };
}

export interface MetricPoint extends SystemHealth {
  /** Milliseconds since the epoch. */
  at: number;
}

export interface AgentHealth {
  id: string;
  name: string;
  hostname: string | null;
  version: string | null;
  status: string;
  tenant: string;
  online: boolean;
  lastSeenAt: string | null;
  latest: MetricPoint | null;
  history: MetricPoint[];
}

function toPoint(r: Wire, timeField: string): MetricPoint {
  return { at: Date.parse(str(r, timeField)), ...toHealth(r) };
}

function toAgentHealth(r: Wire): AgentHealth {
  const latest = field(r, "latest") as Wire | null | undefined;
  const history = field(r, "history");
  return {
    id: str(r, "id"),
    name: str(r, "name"),
    hostname: strOrNull(r, "hostname"),
    version: strOrNull(r, "version"),
    status: str(r, "status"),
    tenant: str((field(r, "tenant") ?? {}) as Wire, "subdomain"),
    online: field(r, "online") === true,
    lastSeenAt: strOrNull(r, "lastSeenAt"),
    latest: latest ? toPoint(latest, "reportedAt") : null,
    history: Array.isArray(history) ? (history as Wire[]).map((h) => toPoint(h, "recordedAt")) : [],
  };
}

export async function getMonitoring(hours = 1, page = 1, pageSize = 50): Promise<Page<AgentHealth>> {
  const body = await request<unknown>("GET", "/api/admin/monitoring", {
    query: { ...pageQuery(page, pageSize), hours },
  });
  return toPage(body, toAgentHealth);
}
