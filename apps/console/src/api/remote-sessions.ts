// Live sessions: start one on a connection (POST /api/remote-sessions) and the address of its viewer socket.
// The socket protocol itself is workers/protocol/viewer.ts (read by views/terminal/room-frames.ts).
import { api, ok, type Schemas } from "./http.ts";

export type LiveSession = Schemas["Session"];
export type Invitation = Schemas["Invitation"];
export type LiveTunnel = Schemas["LiveTunnel"];

export function startSession(connectionId: string, cols: number, rows: number) {
  return ok(api.POST("/api/remote-sessions", { body: { connection_id: connectionId, cols, rows } }));
}

/** Same origin: the sid cookie authenticates the upgrade (a picked tenant is named by the login itself). */
export function sessionSocketUrl(id: string, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/api/remote-sessions/${encodeURIComponent(id)}/ws`;
}

/** An RDP session's socket, for the browser's RDP client (the session's owner only). */
export function rdpSocketUrl(id: string, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/api/rdp/${encodeURIComponent(id)}/ws`;
}

/** Where the console shows a live session, by its public id's kind: a VNC session's desktop (`vnc-N`), an
 * RDP session's (`rdp-N`), else its terminal. */
export function sessionPath(s: { id: string; session_id: string }): string {
  if (s.session_id.startsWith("vnc-")) return `/vnc/${s.id}`;
  if (s.session_id.startsWith("rdp-")) return `/desktop/${s.id}`;
  return `/terminal/${s.id}`;
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

/** The live sessions the signed-in user was invited to and has not joined yet. */
export async function listInvitations(): Promise<Invitation[]> {
  return (await ok(api.GET("/api/remote-sessions/invitations", { params: { query: { page_size: 200 } } })))
    .data;
}

/** The organization's open tunnels with their target and traffic so far. */
export async function listLiveTunnels(): Promise<LiveTunnel[]> {
  return (await ok(api.GET("/api/tunnels", { params: { query: { page_size: 200 } } }))).data;
}

/** Invites a user to a live session as collaborator (may type, when their role runs commands) or viewer. */
export async function inviteToSession(
  id: string,
  userId: string,
  role: "collaborator" | "viewer",
): Promise<void> {
  await ok(
    api.POST("/api/remote-sessions/{id}/participants", {
      params: { path: { id } },
      body: { user_id: userId, role },
    }),
  );
}

/** Whether clipboard text may cross this desktop session: false on a connection tagged `clipboard:off` (the
 * server's rule, enforced by the session room both ways); null when the caller may not read the connection. */
export async function sessionClipboard(id: string): Promise<boolean | null> {
  const s = await ok(api.GET("/api/remote-sessions/{id}", { params: { path: { id } } }));
  const c = await api.GET("/api/connections/{id}", { params: { path: { id: s.connection_id } } });
  return c.data ? !c.data.tags.includes("clipboard:off") : null;
}

/** Whether the user opened the session (only its owner ends it; the API refuses others either way). */
export async function ownsSession(id: string, userId: string): Promise<boolean> {
  const s = await ok(api.GET("/api/remote-sessions/{id}", { params: { path: { id } } }));
  return s.initiated_by_user_id === userId;
}

/** Whether the user may type into the session now (the owner, or a collaborator handed control); null when
 * they are not among its participants. The room enforces it either way. */
export async function mayTypeIn(id: string, userId: string): Promise<boolean | null> {
  const page = await ok(api.GET("/api/remote-sessions/{id}/viewers", { params: { path: { id } } }));
  const mine = page.data.filter((v) => v.user_id === userId && v.is_active);
  return mine.length === 0 ? null : mine.some((v) => v.can_type);
}

/** A session's status as the API reads it (`active`, `ended`, `disconnected`, `error`). */
export async function sessionStatus(id: string): Promise<string> {
  return (await ok(api.GET("/api/remote-sessions/{id}", { params: { path: { id } } }))).status;
}

export interface WaitingApproval {
  sessionId: string;
  publicId: string;
  commandId: string;
  command: string;
  typistUserId: string;
  typistName: string;
  rule: string | null;
}

/** Commands waiting for approval in the organization's live sessions (policies:manage). */
export async function listWaitingApprovals(): Promise<WaitingApproval[]> {
  const page = await ok(api.GET("/api/remote-sessions/approvals", { params: { query: { page_size: 200 } } }));
  return page.data.map((r) => ({
    sessionId: r.id,
    publicId: r.session_id,
    commandId: r.command_id,
    command: r.command,
    typistUserId: r.typist_user_id,
    typistName: r.typist_name,
    rule: r.rule ?? null,
  }));
}

export async function decideApproval(sessionId: string, commandId: string, approve: boolean): Promise<void> {
  await ok(
    api.POST("/api/remote-sessions/{id}/approvals/{command_id}", {
      params: { path: { id: sessionId, command_id: commandId } },
      body: { approve },
    }),
  );
}
