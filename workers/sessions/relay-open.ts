// Opening a relayed session — a TCP tunnel (workers/tunnels) or an RDP session (workers/rdp): no shell and
// no screen model in the room, the agent opens the target (plain TCP, or as the RDCleanPath proxy) and
// carries bytes over its data socket. One path for both: the session row with its kind's public id, the
// room (its kind, the organization's idle timeout), the agent's open frame with the host and port decided
// here (never by the client), waiting for the agent's data socket, the audit row of the opening, and the
// errors (agent offline, not opened in time). Each caller answers its own description of the session.
import { randomToken } from "@nostromo/crypto";
import { recordAudit } from "../audit/audit.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { ApiError } from "../errors.ts";
import { retentionOf } from "../settings/retention.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { FEATURES } from "../tenancy/features.ts";
import { loadOrganization } from "../tenancy/organization.ts";
import { liveRow, roomIdentity } from "./live-row.ts";
import { dataPath } from "./open.ts";
import { connectedAgent, OPEN_TIMEOUT_MS, room } from "./service.ts";
import { sessionStore } from "./store.ts";

export interface RelayedOpen {
  conn: { id: string; agentId: string | null; hostname: string; status: string };
  /** The port the agent dials on the connection's host. */
  port: number;
  kind: "tunnel" | "rdp";
  /** The public id's prefix (`tunnel`, `rdp`). */
  prefix: string;
  cols?: number;
  rows?: number;
  /** An RDP session: whether clipboard transfer is allowed (workers/sessions/clipboard.ts). */
  clipboard?: boolean;
  /** How people read it in the audit log ("tunnel", "RDP session"), and its verb ("opened", "started"). */
  noun: string;
  verb: string;
  action: string;
}

export async function openRelayed(ctx: TenantContext, u: UserPrincipal, o: RelayedOpen) {
  const { conn, port } = o;
  if (conn.status !== "active") throw new ApiError("INVALID_STATE", `The connection is ${conn.status}`);
  const { agentId, link } = await connectedAgent(ctx, conn.agentId);
  const org = await loadOrganization(ctx.db, ctx.tenant.id);
  // An RDP session is recorded from its first byte or not at all (docs/live-sessions.md, RDP sessions).
  const record =
    o.kind === "rdp" && org.settings.auto_record_sessions && ctx.tenant.features.includes(FEATURES.RECORDING);
  const s = await sessionStore(ctx).createLive(
    liveRow(ctx, u, { connectionId: conn.id, agentId, isRecording: record }),
    o.prefix,
  );
  const dataToken = randomToken(32);
  const r = room(ctx.env, s.id);
  await r.init({
    ...(await roomIdentity(ctx, u, s, {
      connectionId: conn.id,
      agentId,
      dataToken,
      idleTimeoutMs: org.settings.session_timeout,
    })),
    cols: o.cols ?? s.cols,
    rows: o.rows ?? s.rows,
    record,
    recordingRetentionDays: retentionOf(org.settings).recordingDays,
    shellIntegration: false,
    approvalTimeoutMs: 0,
    webhookUrl: null,
    kind: o.kind,
    ...(o.clipboard === undefined ? {} : { clipboard: o.clipboard }),
    ...(o.kind === "tunnel" ? { tunnelTarget: { host: conn.hostname, port } } : {}),
  });
  const sent = await link.sendFrame({
    t: o.kind === "rdp" ? "rdp.open" : "tunnel.open",
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
    action: o.action,
    description: ok
      ? `${u.email} ${o.verb} ${o.noun} ${s.sessionId} to ${target}`
      : `${u.email} could not open ${o.noun} ${s.sessionId} to ${target}: ${outcome.reason ?? outcome.status}`,
    status: ok ? "success" : "failure",
    sessionId: s.id,
    connectionId: conn.id,
    metadata: { publicId: s.sessionId, [o.kind]: true, host: conn.hostname, port, status: outcome.status },
  });
  if (!ok) {
    if (outcome.status === "connecting")
      await r.end(`The agent did not open the ${o.noun} in time`, "TIMEOUT");
    throw new ApiError(
      "BAD_GATEWAY",
      `The agent did not open the ${o.noun} (${outcome.reason ?? "timeout"})`,
      {
        session: { id: s.id, session_id: s.sessionId, status: outcome.status },
      },
    );
  }
  return { id: s.id, session_id: s.sessionId, status: outcome.status };
}
