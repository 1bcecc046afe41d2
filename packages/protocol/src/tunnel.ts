// TCP tunnel wire protocol (docs/tunnels.md). One tunnel is one session; its TCP connections ("streams")
// are multiplexed over two WebSockets that the SessionRoom relays between: the CLI's tunnel socket and
// the agent's data socket. Both sockets speak the same frames:
// - binary: [stream id, u32 big-endian][payload ≤ MAX_TUNNEL_CHUNK] — raw TCP bytes;
// - text: the JSON frames below. `tcp.open` only from the CLI (the edge opens streams, the agent never does),
//   `tcp.opened` only from the agent; `tcp.ack` returns flow-control credit (bytes written to the socket
//   at the far end), `tcp.end` is a half close (FIN), `tcp.close` ends the stream both ways.
// Multiplexing (not one WebSocket per TCP connection) keeps one authenticated socket per tunnel and lets
// the room see and end every stream; a credit window per stream (TUNNEL_WINDOW_BYTES unacknowledged bytes
// at most) keeps one slow reader from filling the room or the other streams' buffers.
import { z } from "zod";
import { FailureCodeSchema } from "./agent";
import { type ParseResult, parseFrame } from "./frame";

/** Largest payload of one binary frame. */
export const MAX_TUNNEL_CHUNK = 64 * 1024;
/** Bytes a sender may have in flight (sent, not yet acknowledged) per stream before it stops reading. */
export const TUNNEL_WINDOW_BYTES = 512 * 1024;
/** Concurrent streams per tunnel. */
export const MAX_TUNNEL_STREAMS = 256;
export const TUNNEL_HEADER_BYTES = 4;

const StreamId = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32 - 1);

export const TcpOpenSchema = z.object({ t: z.literal("tcp.open"), stream: StreamId });
export const TcpOpenedSchema = z.object({ t: z.literal("tcp.opened"), stream: StreamId });
export const TcpAckSchema = z.object({
  t: z.literal("tcp.ack"),
  stream: StreamId,
  bytes: z.number().int().min(1).max(TUNNEL_WINDOW_BYTES),
});
export const TcpEndSchema = z.object({ t: z.literal("tcp.end"), stream: StreamId });
export const TcpCloseSchema = z.object({
  t: z.literal("tcp.close"),
  stream: StreamId,
  reason: z.string().max(512).optional(),
});

/** Frames about one stream, in either direction (the room checks who may send which). */
export const TunnelFrameSchema = z.discriminatedUnion("t", [
  TcpOpenSchema,
  TcpOpenedSchema,
  TcpAckSchema,
  TcpEndSchema,
  TcpCloseSchema,
]);
export type TunnelFrame = z.infer<typeof TunnelFrameSchema>;

export const TUNNEL_FRAME_TYPES: ReadonlySet<string> = new Set(
  TunnelFrameSchema.options.map((o) => o.shape.t.value),
);

/** Data socket, agent → edge, of a tunnel: the tunnel's data-socket frames plus ready/error. */
export const AgentTunnelDataFrameSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready") }),
  z.object({ t: z.literal("error"), code: FailureCodeSchema, message: z.string().max(4096) }),
  ...TunnelFrameSchema.options,
]);
export type AgentTunnelDataFrame = z.infer<typeof AgentTunnelDataFrameSchema>;
export const AGENT_TUNNEL_DATA_FRAME_TYPES: ReadonlySet<string> = new Set(
  AgentTunnelDataFrameSchema.options.map((o) => o.shape.t.value),
);

/** Data socket, edge → agent, of a tunnel: stream frames plus `close` (the tunnel ends). */
export const EdgeTunnelDataFrameSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("close"), reason: z.string().max(1024) }),
  ...TunnelFrameSchema.options,
]);
export type EdgeTunnelDataFrame = z.infer<typeof EdgeTunnelDataFrameSchema>;

export function parseTunnelFrame(data: unknown): ParseResult<TunnelFrame> {
  return parseFrame(TunnelFrameSchema, data);
}

export function parseAgentTunnelDataFrame(data: unknown): ParseResult<AgentTunnelDataFrame> {
  return parseFrame(AgentTunnelDataFrameSchema, data);
}

export function parseEdgeTunnelDataFrame(data: unknown): ParseResult<EdgeTunnelDataFrame> {
  return parseFrame(EdgeTunnelDataFrameSchema, data);
}

/** One binary frame: the stream id, then the payload. */
export function encodeTunnelChunk(stream: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(TUNNEL_HEADER_BYTES + payload.byteLength);
  new DataView(out.buffer).setUint32(0, stream);
  out.set(payload, TUNNEL_HEADER_BYTES);
  return out;
}

/** The stream and payload of a binary frame; null when it is shorter than its header, carries stream 0,
 * or a payload over MAX_TUNNEL_CHUNK. The payload is a view (no copy). */
export function decodeTunnelChunk(frame: Uint8Array): { stream: number; payload: Uint8Array } | null {
  if (frame.byteLength <= TUNNEL_HEADER_BYTES) return null;
  if (frame.byteLength - TUNNEL_HEADER_BYTES > MAX_TUNNEL_CHUNK) return null;
  const stream = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (stream === 0) return null;
  return { stream, payload: frame.subarray(TUNNEL_HEADER_BYTES) };
}
