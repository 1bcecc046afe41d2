// The contract of /api/tunnels: opening a TCP tunnel to a connection's server (docs/tunnels.md).
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { RoomStatus } from "../sessions/schemas.ts";

export const TunnelBody = z
  .object({
    connection_id: Id,
    /** Another port of the connection's host; only one the connection allows with a `tunnel-port:N` tag. */
    remote_port: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
export type TunnelBody = z.output<typeof TunnelBody>;

export const TunnelStarted = z
  .object({
    id: Id,
    /** The tunnel's public id (`tunnel-1`): a session like any other (live sessions, the kill switch). */
    session_id: z.string(),
    status: RoomStatus,
    host: z.string(),
    port: z.number().int(),
    /** Where the client opens the tunnel's WebSocket (the streams' multiplex). */
    ws_url: z.string(),
  })
  .meta({ id: "TunnelStarted" });

export const LiveTunnel = z
  .object({
    /** The tunnel's session (GET /api/remote-sessions/{id}; DELETE there ends it). */
    id: Id,
    session_id: z.string(),
    connection_id: Id,
    initiated_by_user_id: Id,
    status: RoomStatus,
    started_at: Timestamp,
    /** The server and port the agent connects each stream to; null for a tunnel opened before they were kept. */
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    /** Bytes the CLI sent to the server and the server sent back so far (counted by the live session object,
     * so they start again from 0 if it restarted; the closing audit row has the totals). */
    bytes_up: z.number().int(),
    bytes_down: z.number().int(),
    /** TCP connections opened through the tunnel so far, and open now. */
    connections: z.number().int(),
    streams: z.number().int(),
  })
  .meta({ id: "LiveTunnel" });
export type LiveTunnel = z.infer<typeof LiveTunnel>;

export const LiveTunnelPage = pageSchema(LiveTunnel);
export const LiveTunnelQuery = pageQuery;
