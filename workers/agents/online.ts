// When an agent counts as online: active, its control link open, and a heartbeat within the window. One
// definition for the agent list, the connection test and the Command Center's monitoring.

/** An agent whose link reported within this window is online. */
export const ONLINE_WINDOW_MS = 60_000;

export interface LinkState {
  status: "active" | "revoked";
  connected: boolean | null;
  lastHeartbeatAt: Date | null;
}

export function isOnline(a: LinkState, now: number): boolean {
  return (
    a.status === "active" &&
    a.connected === true &&
    a.lastHeartbeatAt !== null &&
    now - a.lastHeartbeatAt.getTime() < ONLINE_WINDOW_MS
  );
}
