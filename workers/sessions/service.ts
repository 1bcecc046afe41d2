// Live sessions: start one through the connection's agent, read and present them, end them, toggle their
// recording, decide a held command. The SessionRoom object of each session owns everything live; these
// operations authorise against the tenant's rows and hand over. They take a TenantContext, so the kill
// switch (and any job) calls the same code as the routes.

import { randomToken } from "@nostromo/crypto";
import { Permission } from "@nostromo/permissions";
import type { z } from "zod";
import { recordAudit } from "../audit/audit.ts";
import { can } from "../auth/guard.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { pageOf } from "../contract/schemas.ts";
import type { Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { retentionOf } from "../settings/retention.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { FEATURES } from "../tenancy/features.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { clipboardAllowed } from "./clipboard.ts";
import { sessionTypeOf } from "./kind.ts";
import { liveRow, roomIdentity } from "./live-row.ts";
import { openFrame, telnetFrame, vncFrame } from "./open.ts";
import { presentSession } from "./present.ts";
import type { SessionQuery, StartBody, Started } from "./schemas.ts";
import { type SessionRow, sessionStore } from "./store.ts";
import { assertAgentOfTenant, TargetError } from "./target.ts";

export const OPEN_TIMEOUT_MS = 20_000;

const AGENT_FAILURES: Record<
  string,
  { code: "TARGET_AUTH_FAILED" | "TARGET_UNREACHABLE" | "HOST_KEY_CHANGED" | "BAD_GATEWAY"; message: string }
> = {
  AUTH_FAILED: { code: "TARGET_AUTH_FAILED", message: "The target refused the stored credentials" },
  CONNECT_FAILED: { code: "TARGET_UNREACHABLE", message: "The agent could not reach the target" },
  TIMEOUT: { code: "TARGET_UNREACHABLE", message: "The target did not answer in time" },
  HOST_KEY_CHANGED: {
    code: "HOST_KEY_CHANGED",
    message: "The target presented a different host key than the one pinned",
  },
};

export function room(env: Bindings, id: string) {
  return env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(id));
}

export function canWatch(u: UserPrincipal): boolean {
  return can(u, Permission.VIEW_SESSION) || can(u, Permission.JOIN_SESSION);
}

/** The session row, or 404 NOT_FOUND (also for another tenant's session). */
export async function findSession(ctx: TenantContext, id: string): Promise<SessionRow> {
  const s = await sessionStore(ctx).find(id);
  if (!s) throw new ApiError("NOT_FOUND", "No such session");
  return s;
}

export async function listSessions(ctx: TenantContext, q: SessionQuery, caller: UserPrincipal) {
  const { rows, total } = await sessionStore(ctx).list(q);
  return pageOf(
    q,
    rows.map((s) => presentSession(s, caller)),
    total,
  );
}

/** The connection's agent, checked to be the tenant's own and online: its id and its link, or AGENT_OFFLINE. */
export async function connectedAgent(ctx: TenantContext, agentId: string | null) {
  if (!agentId) throw new ApiError("AGENT_OFFLINE", "No agent is assigned to this connection");
  try {
    await assertAgentOfTenant(ctx.control, agentId, ctx.tenant.id);
  } catch (err) {
    throw new ApiError("AGENT_OFFLINE", err instanceof Error ? err.message : "No usable agent");
  }
  const link = ctx.env.AGENT_LINK.get(ctx.env.AGENT_LINK.idFromName(agentId));
  if (!(await link.isConnected())) throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
  return { agentId, link };
}

/** Opens a session of a graphical type (rdp: workers/rdp/), passed in by the route so that this module
 * does not import the domains that build on it. */
export type GraphicalStarter = (
  ctx: TenantContext,
  u: UserPrincipal,
  conn: StartableConnection,
  body: StartBody,
) => Promise<z.output<typeof Started>>;

/** What opening a session reads of its connection. */
export interface StartableConnection {
  id: string;
  agentId: string | null;
  hostname: string;
  port: number;
  status: string;
  tags: string[];
}

export async function startSession(
  ctx: TenantContext,
  u: UserPrincipal,
  body: StartBody,
  graphical: { rdp?: GraphicalStarter } = {},
): Promise<z.output<typeof Started>> {
  const store = sessionStore(ctx);
  const conn = await store.connectionForStart(body.connection_id);
  if (!conn) throw new ApiError("NOT_FOUND", "No such connection");
  if (conn.type === "rdp" && graphical.rdp) return graphical.rdp(ctx, u, conn, body);
  // Telnet has no channel to install the shell integration through: commands are judged from the screen.
  const telnet = conn.type === "telnet";
  // VNC: no terminal; the room relays one RFB stream per browser (docs/live-sessions.md, VNC sessions).
  const vnc = conn.type === "vnc";
  if ((telnet || vnc) && conn.status !== "active")
    throw new ApiError("INVALID_STATE", `The connection is ${conn.status}`);
  const { agentId, link } = await connectedAgent(ctx, conn.agentId);
  const org = await loadOrganization(ctx.db, ctx.tenant.id);
  const record = org.settings.auto_record_sessions && ctx.tenant.features.includes(FEATURES.RECORDING);
  const s = await store.createLive(
    liveRow(ctx, u, {
      connectionId: conn.id,
      agentId,
      isRecording: record,
      cols: body.cols,
      rows: body.rows,
    }),
    conn.type,
  );
  const dataToken = randomToken(32);
  // The shell integration's mark key: only the room and the agent ever hold it (docs/execution-guard.md).
  const markKey = randomToken(32);
  const r = room(ctx.env, s.id);
  await r.init({
    ...(await roomIdentity(ctx, u, s, {
      connectionId: conn.id,
      agentId,
      dataToken,
      idleTimeoutMs: org.settings.session_timeout,
    })),
    cols: body.cols,
    rows: body.rows,
    record,
    recordingRetentionDays: retentionOf(org.settings).recordingDays,
    shellIntegration: !telnet && !vnc,
    connectionType: telnet ? "telnet" : vnc ? "vnc" : "ssh",
    ...(telnet || vnc ? {} : { markKey }),
    ...(vnc ? { kind: "vnc" as const, clipboard: clipboardAllowed(conn) } : {}),
    approvalTimeoutMs: org.settings.approval_timeout_ms ?? 120_000,
    webhookUrl: org.settings.webhook_url ?? null,
  });
  let frame: Awaited<ReturnType<typeof openFrame | typeof vncFrame>> | ReturnType<typeof telnetFrame>;
  try {
    const size = { cols: body.cols, rows: body.rows };
    const where = { sessionUuid: s.id, dataToken, host: conn.hostname, port: conn.port };
    frame = telnet
      ? telnetFrame({ ...where, ...size })
      : vnc
        ? await vncFrame(ctx.env, ctx.db, ctx.tenant, { ...where, connectionId: conn.id })
        : await openFrame(ctx.env, ctx.db, ctx.tenant, {
            sessionUuid: s.id,
            connectionId: conn.id,
            dataToken,
            cols: body.cols,
            rows: body.rows,
            shellIntegration: true,
            markKey,
          });
  } catch (err) {
    const message = err instanceof TargetError ? err.message : "The connection cannot be used";
    await r.agentEvent({ t: "session.failed", sessionId: s.id, code: "INTERNAL", message });
    throw new ApiError("INVALID_STATE", message);
  }
  if (!(await link.sendFrame(frame))) {
    await r.agentEvent({
      t: "session.failed",
      sessionId: s.id,
      code: "CONNECT_FAILED",
      message: "The agent went offline",
    });
    throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
  }
  const outcome = await r.waitForOutcome(OPEN_TIMEOUT_MS);
  const ok = outcome.status === "active";
  await recordAudit(ctx, {
    type: "session.started",
    action: "start",
    description: ok
      ? `${u.email} started ${s.sessionId}`
      : `${u.email} could not start ${s.sessionId}: ${outcome.reason ?? outcome.status}`,
    status: ok ? "success" : "failure",
    sessionId: s.id,
    connectionId: conn.id,
    metadata: { publicId: s.sessionId, status: outcome.status, code: outcome.code, recording: record },
  });
  if (outcome.code === "HOST_KEY_CHANGED") {
    await recordAudit(ctx, {
      type: "security.alert",
      action: "host_key_changed",
      description: `The host key of connection ${conn.id} changed; ${s.sessionId} was refused`,
      status: "failure",
      sessionId: s.id,
      connectionId: conn.id,
    });
  }
  if (outcome.status === "error") {
    const f = AGENT_FAILURES[outcome.code ?? ""] ?? {
      code: "BAD_GATEWAY" as const,
      message: outcome.reason ?? "The session failed",
    };
    throw new ApiError(f.code, `${f.message}${outcome.reason ? ` (${outcome.reason})` : ""}`, {
      session: { id: s.id, session_id: s.sessionId, status: "error" },
    });
  }
  if (outcome.status === "connecting") {
    await r.end("The agent did not open the session in time", "TIMEOUT");
    throw new ApiError("BAD_GATEWAY", "The agent did not open the session in time", {
      session: { id: s.id, session_id: s.sessionId, status: "ended" },
    });
  }
  return {
    id: s.id,
    session_id: s.sessionId,
    status: outcome.status,
    cols: body.cols,
    rows: body.rows,
    recording: record,
    ws_url: `/api/remote-sessions/${s.id}/ws`,
  };
}

export async function endSession(ctx: TenantContext, u: UserPrincipal, s: SessionRow) {
  const result = await room(ctx.env, s.id).end(`Ended by ${u.email}`);
  await recordAudit(ctx, {
    type: "session.ended",
    action: "end",
    description: `${u.email} ended ${s.sessionId}`,
    sessionId: s.id,
    connectionId: s.connectionId,
  });
  return { id: s.id, session_id: s.sessionId, status: result.status };
}

export async function setRecording(ctx: TenantContext, u: UserPrincipal, s: SessionRow, enabled: boolean) {
  if (s.status !== "active" && s.status !== "disconnected")
    throw new ApiError("INVALID_STATE", `The session is ${s.status}`);
  // An RDP recording replays only from the connection's first byte (docs/live-sessions.md, RDP sessions).
  if (enabled && !s.isRecording && sessionTypeOf(s.sessionId) === "rdp")
    throw new ApiError(
      "INVALID_STATE",
      "An RDP session is recorded from its start only: turn on the organization's auto-record",
    );
  const r = await room(ctx.env, s.id).setRecording(enabled, u.id);
  await recordAudit(ctx, {
    type: enabled ? "session.recording.started" : "session.recording.stopped",
    action: enabled ? "record" : "stop_recording",
    description: `${u.email} ${enabled ? "started" : "stopped"} recording ${s.sessionId}`,
    sessionId: s.id,
    metadata: { recordingId: r.recordingId },
  });
  return { recording: r.recording, recording_id: r.recordingId };
}

export async function decideApproval(
  ctx: TenantContext,
  u: UserPrincipal,
  s: SessionRow,
  commandId: string,
  approve: boolean,
) {
  const r = await room(ctx.env, s.id).decideApproval(commandId, approve, {
    userId: u.id,
    name: u.name,
    canApprove: can(u, Permission.MANAGE_POLICIES),
  });
  if (!r.ok) throw new ApiError(r.code === "FORBIDDEN" ? "FORBIDDEN" : "NOT_FOUND", r.message);
  return { command_id: commandId, approved: approve };
}

/**
 * The Command Center's kill of one remote session (a platform operator, `ctx.actor`): ended at once as an
 * admin's end does — sockets closed, agent told, recording finalised, the room's own closing audit row —
 * and audited in the tenant's trail with the operator's email (not a user of the tenant, so no user id).
 */
export async function killSession(ctx: TenantContext, s: SessionRow, by: string) {
  const wasLive = s.status === "active" || s.status === "disconnected";
  const result = await room(ctx.env, s.id).end("Ended by a platform administrator", "KILLED");
  await recordAudit(ctx, {
    type: "session.ended",
    action: "kill",
    description: `A platform administrator (${by}) ended ${s.sessionId}${wasLive ? "" : " (it had already ended)"}`,
    status: "warning",
    userId: null,
    sessionId: s.id,
    connectionId: s.connectionId,
    metadata: { publicId: s.sessionId, by, alreadyEnded: !wasLive },
  });
  return { id: s.id, session_id: s.sessionId, status: result.status, already_ended: !wasLive };
}

/** The kill switch: ends every live session the killed login started; answers their public ids. */
export async function endSessionsOfLogin(ctx: TenantContext, loginId: string): Promise<string[]> {
  const live = await sessionStore(ctx).liveOfLogin(loginId);
  for (const s of live)
    await room(ctx.env, s.id).end(
      "The login that started this session was ended by a platform administrator",
      "KILLED",
    );
  return live.map((s) => s.publicId);
}
