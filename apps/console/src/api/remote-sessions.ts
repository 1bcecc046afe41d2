// Live sessions: start one on a connection (POST /api/remote-sessions) and the address of its viewer socket.
// The socket protocol itself is workers/protocol/viewer.ts (read by views/terminal/room-frames.ts).
import { api, ok, type Schemas } from "./http.ts";

export type LiveSession = Schemas["Session"];

export function startSession(connectionId: string, cols: number, rows: number) {
  return ok(api.POST("/api/remote-sessions", { body: { connection_id: connectionId, cols, rows } }));
}

/** Same origin: the sid cookie authenticates the upgrade (a picked tenant is named by the login itself). */
export function sessionSocketUrl(id: string, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/api/remote-sessions/${encodeURIComponent(id)}/ws`;
}

export async function endSession(id: string): Promise<void> {
  await api.DELETE("/api/remote-sessions/{id}", { params: { path: { id } } });
}

/** The organization's sessions that are live now (newest first). */
export async function listLiveSessions(): Promise<LiveSession[]> {
  const page = await ok(
    api.GET("/api/remote-sessions", { params: { query: { status: "active", page_size: 200 } } }),
  );
  return page.data;
}
