// TCP tunnels (docs/tunnels.md): a tunnel is a live session of its own kind (public id `tunnel-N`) whose
// SessionRoom relays TCP streams between the CLI and the connection's agent instead of a shell. Opening
// one authorises against the connection (session:start, like a shell: it reaches the same server), picks
// the port (the connection's, or another the connection allows with a `tunnel-port:N` tag), sends the
// agent `tunnel.open` and waits for its data socket; it is audited here when it opens and by the room, with
// bytes each way and its duration, when it closes.

import { randomToken, sha256Hex } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { connectionStore } from "../connections/store.ts";
import { iso, type PageQuery, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { sessionTypeOf } from "../sessions/kind.ts";
import { dataPath } from "../sessions/open.ts";
import { connectedAgent, OPEN_TIMEOUT_MS, room } from "../sessions/service.ts";
import { sessionStore } from "../sessions/store.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import type { LiveTunnel, TunnelBody } from "./schemas.ts";

export const TUNNEL_PREFIX = "tunnel";

/** Whether a session row's public id names a tunnel. */
export function isTunnel(publicId: string): boolean {
  return sessionTypeOf(publicId) === "tunnel";
}

/** The port a tunnel may reach: the connection's own, or one its tags allow (`tunnel-port:5432`). */
export function tunnelPort(conn: { port: number; tags: string[] }, requested: number | undefined): number {
  if (requested === undefined || requested === conn.port) return conn.port;
  if (conn.tags.includes(`tunnel-port:${requested}`)) return requested;
  throw new ApiError(
    "FORBIDDEN",
    `The connection does not allow tunnels to port ${requested} (tag it tunnel-port:${requested})`,
  );
}

export async function startTunnel(ctx: TenantContext, u: UserPrincipal, body: TunnelBody) {
  const conn = await connectionStore(ctx).findFull(body.connection_id);
  if (!conn) throw new ApiError("NOT_FOUND", "No such connection");
  if (conn.status !== "active") throw new ApiError("INVALID_STATE", `The connection is ${conn.status}`);
  const port = tunnelPort(conn, body.remote_port);
  const { agentId, link } = await connectedAgent(ctx, conn.agentId);
  const org = await loadOrganization(ctx.db, ctx.tenant.id);
  const s = await sessionStore(ctx).createLive(
    {
      connectionId: conn.id,
      initiatedByUserId: u.id,
      status: "active",
      clientIp: ctx.request?.ip ?? "",
      userAgent: ctx.request?.userAgent ?? "",
      agentId,
      loginSessionId: u.loginId,
      isRecording: false,
    },
    TUNNEL_PREFIX,
  );
  const dataToken = randomToken(32);
  const r = room(ctx.env, s.id);
  await r.init({
    sessionUuid: s.id,
    publicId: s.sessionId,
    tenantId: ctx.tenant.id,
    connectionId: conn.id,
    agentId,
    ownerId: u.id,
    ownerLoginId: u.loginId,
    cols: s.cols,
    rows: s.rows,
    dataTokenHash: await sha256Hex(dataToken),
    idleTimeoutMs: org.settings.session_timeout,
    record: false,
    recordingRetentionDays: 0,
    shellIntegration: false,
    approvalTimeoutMs: 0,
    webhookUrl: null,
    kind: "tunnel",
    tunnelTarget: { host: conn.hostname, port },
  });
  const sent = await link.sendFrame({
    t: "tunnel.open",
    sessionId: s.id,
    dataUrl: dataPath(s.id),
    dataToken,
    host: conn.hostname,
    port,
  });
  if (!sent) {
    await r.agentEvent({ t: "session.failed", sessionId: s.id, code: "CONNECT_FAILED", message: "offline" });
    throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
  }
  const outcome = await r.waitForOutcome(OPEN_TIMEOUT_MS);
  const ok = outcome.status === "active";
  const target = `${conn.hostname}:${port}`;
  await recordAudit(ctx, {
    type: "session.started",
    action: "tunnel_open",
    description: ok
      ? `${u.email} opened tunnel ${s.sessionId} to ${target}`
      : `${u.email} could not open tunnel ${s.sessionId} to ${target}: ${outcome.reason ?? outcome.status}`,
    status: ok ? "success" : "failure",
    sessionId: s.id,
    connectionId: conn.id,
    metadata: { publicId: s.sessionId, tunnel: true, host: conn.hostname, port, status: outcome.status },
  });
  if (!ok) {
    if (outcome.status === "connecting") await r.end("The agent did not open the tunnel in time", "TIMEOUT");
    throw new ApiError("BAD_GATEWAY", `The agent did not open the tunnel (${outcome.reason ?? "timeout"})`, {
      session: { id: s.id, session_id: s.sessionId, status: outcome.status },
    });
  }
  return {
    id: s.id,
    session_id: s.sessionId,
    status: outcome.status,
    host: conn.hostname,
    port,
    ws_url: `/api/tunnels/${s.id}/ws`,
  };
}

/** The organization's open tunnels with their traffic so far, as each tunnel's session object counts it. */
export async function listLiveTunnels(ctx: TenantContext, q: PageQuery) {
  const { rows, total } = await sessionStore(ctx).list({ ...q, status: "active", type: "tunnel" });
  const data = await Promise.all(
    rows.map(async (s): Promise<LiveTunnel> => {
      const stats = await room(ctx.env, s.id).tunnelStats();
      return {
        id: s.id,
        session_id: s.sessionId,
        connection_id: s.connectionId,
        initiated_by_user_id: s.initiatedByUserId,
        status: s.status,
        started_at: iso(s.startedAt),
        host: stats?.host ?? null,
        port: stats?.port ?? null,
        bytes_up: stats?.bytesUp ?? 0,
        bytes_down: stats?.bytesDown ?? 0,
        connections: stats?.connections ?? 0,
        streams: stats?.streams ?? 0,
      };
    }),
  );
  return pageOf(q, data, total);
}
