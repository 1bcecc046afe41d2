// When an agent counts as online: active, its control link open, and a heartbeat within the last minute —
// the same window monitoring.v_dashboard_summary uses for online_agents and system_health.
export const ONLINE_WINDOW_MS = 60_000;

export interface LinkState {
  status: "active" | "revoked";
  connected: boolean | null;
  lastHeartbeatAt: Date | null;
}

export function isOnline(a: LinkState, now: number = Date.now()): boolean {
  return (
    a.status === "active" &&
    a.connected === true &&
    a.lastHeartbeatAt !== null &&
    now - a.lastHeartbeatAt.getTime() < ONLINE_WINDOW_MS
  );
}
