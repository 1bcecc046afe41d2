// RDP sessions for the browser (docs/live-sessions.md, RDP sessions). An `rdp` connection opened with
// POST /api/remote-sessions becomes a live session of its own kind (public id `rdp-N`) whose SessionRoom
// relays the bytes of the browser's IronRDP client to the connection's agent, which is the client's
// RDCleanPath proxy towards the connection's host:port — sent here in `rdp.open`, never taken from the
// client. No credential leaves the edge: the user signs in at the server's own logon screen (why: the
// IronRDP web client needs the password in the browser to sign in for the user, and a stored secret is
// write-only everywhere else). Audited when it opens (here) and when it closes (the room, with bytes).
import { randomToken, sha256Hex } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { ApiError } from "../errors.ts";
import { dataPath } from "../sessions/open.ts";
import type { StartBody } from "../sessions/schemas.ts";
import { connectedAgent, OPEN_TIMEOUT_MS, room } from "../sessions/service.ts";
import { sessionStore } from "../sessions/store.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { loadOrganization } from "../tenancy/organization.ts";

export const RDP_PREFIX = "rdp";

/** Whether a session row's public id names an RDP session. */
export function isRdp(publicId: string): boolean {
  return publicId.startsWith(`${RDP_PREFIX}-`);
}

export async function startRdp(
  ctx: TenantContext,
  u: UserPrincipal,
  conn: { id: string; agentId: string | null; hostname: string; port: number; status: string },
  body: StartBody,
) {
  if (conn.status !== "active") throw new ApiError("INVALID_STATE", `The connection is ${conn.status}`);
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
    RDP_PREFIX,
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
    cols: body.cols,
    rows: body.rows,
    dataTokenHash: await sha256Hex(dataToken),
    idleTimeoutMs: org.settings.session_timeout,
    record: false,
    recordingRetentionDays: 0,
    shellIntegration: false,
    approvalTimeoutMs: 0,
    webhookUrl: null,
    kind: "rdp",
  });
  const sent = await link.sendFrame({
    t: "rdp.open",
    sessionId: s.id,
    dataUrl: dataPath(s.id),
    dataToken,
    host: conn.hostname,
    port: conn.port,
  });
  if (!sent) {
    await r.agentEvent({ t: "session.failed", sessionId: s.id, code: "CONNECT_FAILED", message: "offline" });
    throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
  }
  const outcome = await r.waitForOutcome(OPEN_TIMEOUT_MS);
  const ok = outcome.status === "active";
  const target = `${conn.hostname}:${conn.port}`;
  await recordAudit(ctx, {
    type: "session.started",
    action: "start",
    description: ok
      ? `${u.email} started RDP session ${s.sessionId} to ${target}`
      : `${u.email} could not start RDP session ${s.sessionId} to ${target}: ${outcome.reason ?? outcome.status}`,
    status: ok ? "success" : "failure",
    sessionId: s.id,
    connectionId: conn.id,
    metadata: {
      publicId: s.sessionId,
      rdp: true,
      host: conn.hostname,
      port: conn.port,
      status: outcome.status,
    },
  });
  if (!ok) {
    if (outcome.status === "connecting")
      await r.end("The agent did not open the RDP session in time", "TIMEOUT");
    throw new ApiError(
      "BAD_GATEWAY",
      `The agent did not open the RDP session (${outcome.reason ?? "timeout"})`,
      {
        session: { id: s.id, session_id: s.sessionId, status: outcome.status },
      },
    );
  }
  return {
    id: s.id,
    session_id: s.sessionId,
    status: outcome.status,
    cols: body.cols,
    rows: body.rows,
    recording: false,
    ws_url: `/api/rdp/${s.id}/ws`,
  };
}
