// The contract of /api/tunnels: opening a TCP tunnel to a connection's server (docs/tunnels.md).
import { z } from "zod";
import { Id } from "../contract/schemas.ts";
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
