// RDP sessions for the browser (docs/live-sessions.md, RDP sessions). An `rdp` connection opened with
// POST /api/remote-sessions becomes a live session of its own kind (public id `rdp-N`) whose SessionRoom
// relays the bytes of the browser's IronRDP client to the connection's agent, which is the client's
// RDCleanPath proxy towards the connection's host:port — sent here in `rdp.open`, never taken from the
// client. No credential leaves the edge: the user signs in at the server's own logon screen (why: the
// IronRDP web client needs the password in the browser to sign in for the user, and a stored secret is
// write-only everywhere else). Clipboard transfer follows the connection's policy, as VNC's does.
// Audited when it opens (here) and when it closes (the room, with bytes).
import type { UserPrincipal } from "../auth/principal.ts";
import { clipboardAllowed } from "../sessions/clipboard.ts";
import { openRelayed } from "../sessions/relay-open.ts";
import type { StartBody } from "../sessions/schemas.ts";
import type { StartableConnection } from "../sessions/service.ts";
import type { TenantContext } from "../tenancy/context.ts";

export const RDP_PREFIX = "rdp";

/** Whether a session row's public id names an RDP session. */
export function isRdp(publicId: string): boolean {
  return publicId.startsWith(`${RDP_PREFIX}-`);
}

export async function startRdp(
  ctx: TenantContext,
  u: UserPrincipal,
  conn: StartableConnection,
  body: StartBody,
) {
  const opened = await openRelayed(ctx, u, {
    conn,
    port: conn.port,
    kind: "rdp",
    prefix: RDP_PREFIX,
    cols: body.cols,
    rows: body.rows,
    // Enforced by the room on the client's channel list (workers/session-room/rdp-channels.ts).
    clipboard: clipboardAllowed(conn),
    noun: "RDP session",
    verb: "started",
    action: "start",
  });
  return {
    ...opened,
    cols: body.cols,
    rows: body.rows,
    recording: false,
    ws_url: `/api/rdp/${opened.id}/ws`,
  };
}
