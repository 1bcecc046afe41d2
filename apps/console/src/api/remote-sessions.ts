// Live sessions: start one on a connection (POST /api/remote-sessions) and the address of its viewer socket.
// The socket protocol itself is workers/protocol/viewer.ts (read by views/terminal/room-frames.ts).
import { request } from "./http.ts";
import { str, type Wire } from "./wire.ts";

export interface StartedSession {
  id: string;
  status: string;
}

export async function startSession(
  connectionId: string,
  cols: number,
  rows: number,
): Promise<StartedSession> {
  const r = await request<Wire>("POST", "/api/remote-sessions", {
    body: { connection_id: connectionId, cols, rows },
  });
  return { id: str(r, "id"), status: str(r, "status") };
}

/** Same origin: the sid cookie authenticates the upgrade (a picked tenant is named by the login itself). */
export function sessionSocketUrl(id: string, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/api/remote-sessions/${encodeURIComponent(id)}/ws`;
}

export async function endSession(id: string): Promise<void> {
  await request("DELETE", `/api/remote-sessions/${encodeURIComponent(id)}`);
}
