// TCP tunnels (docs/tunnels.md): a tunnel is a live session of its own kind (public id `tunnel-N`) whose
// SessionRoom relays TCP streams between the CLI and the connection's agent instead of a shell. Opening
// one authorises against the connection (session:start, like a shell: it reaches the same server), picks
// the port (the connection's, or another the connection allows with a `tunnel-port:N` tag), sends the
// agent `tunnel.open` and waits for its data socket; it is audited here when it opens and by the room, with
// bytes each way and its duration, when it closes.

import type { UserPrincipal } from "../auth/principal.ts";
import { connectionStore } from "../connections/store.ts";
import { iso, type PageQuery, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { sessionTypeOf } from "../sessions/kind.ts";
import { openRelayed } from "../sessions/relay-open.ts";
import { room } from "../sessions/service.ts";
import { sessionStore } from "../sessions/store.ts";
import type { TenantContext } from "../tenancy/context.ts";
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
  const opened = await openRelayed(ctx, u, {
    conn,
    port,
    kind: "tunnel",
    prefix: TUNNEL_PREFIX,
    noun: "tunnel",
    verb: "opened",
    action: "tunnel_open",
  });
  return { ...opened, host: conn.hostname, port, ws_url: `/api/tunnels/${opened.id}/ws` };
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
