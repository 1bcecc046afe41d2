// Live sessions: start one on a connection (POST /api/remote-sessions) and the address of its viewer socket.
// The socket protocol itself is workers/protocol/viewer.ts (read by views/terminal/room-frames.ts).
import { request } from "./http.ts";
import { field, str, strOrNull, type Wire } from "./wire.ts";

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

export interface LiveSession {
  id: string;
  publicId: string;
  connectionId: string;
  status: string;
  startedAt: string;
  recording: boolean;
  commands: number;
  blocked: number;
}

function toLive(r: Wire): LiveSession {
  return {
    id: str(r, "id"),
    publicId: str(r, "sessionId"),
    connectionId: str(r, "connectionId"),
    status: str(r, "status"),
    startedAt: str(r, "startedAt"),
    recording: field(r, "isRecording") === true,
    commands: Number(field(r, "totalCommands") ?? 0),
    blocked: Number(field(r, "blockedCommands") ?? 0),
  };
}

/** The organization's sessions that are live now (newest first). */
export async function listLiveSessions(): Promise<LiveSession[]> {
  const body = await request<{ data?: Wire[] }>("GET", "/api/remote-sessions", {
    query: { status: "active", limit: 200 },
  });
  return (body.data ?? []).map(toLive);
}

/** Invites a user to a live session as collaborator (may type, when their role runs commands) or viewer. */
export async function inviteToSession(
  id: string,
  userId: string,
  role: "collaborator" | "viewer",
): Promise<void> {
  await request("POST", `/api/remote-sessions/${encodeURIComponent(id)}/participants`, {
    body: { user_id: userId, role },
  });
}

/** A session's status as the API reads it (`active`, `ended`, `disconnected`, `error`). */
export async function sessionStatus(id: string): Promise<string> {
  return str(await request<Wire>("GET", `/api/remote-sessions/${encodeURIComponent(id)}`), "status");
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
  const body = await request<{ data?: Wire[] }>("GET", "/api/remote-sessions/approvals", {
    query: { page_size: 200 },
  });
  return (body.data ?? []).map((r) => ({
    sessionId: str(r, "id"),
    publicId: str(r, "sessionId"),
    commandId: str(r, "commandId"),
    command: str(r, "command"),
    typistUserId: str(r, "typistUserId"),
    typistName: str(r, "typistName"),
    rule: strOrNull(r, "rule"),
  }));
}

export async function decideApproval(sessionId: string, commandId: string, approve: boolean): Promise<void> {
  const path = `/api/remote-sessions/${encodeURIComponent(sessionId)}/approvals/${encodeURIComponent(commandId)}`;
  await request("POST", path, { body: { approve } });
}
