// The data socket of an RDP session (docs/live-sessions.md, RDP sessions). The browser's IronRDP client
// speaks RDCleanPath and then RDP over its WebSocket into the SessionRoom; the room relays those bytes
// unchanged as binary frames on the agent's data socket, and the agent (the RDCleanPath proxy) relays the
// server's bytes back. Binary frames carry at most MAX_RDP_CHUNK bytes. Text frames are only these:
// agent → edge `ready` (the data socket is up: the session is active) and `error`; edge → agent `close`.
import { z } from "zod";
import { FailureCodeSchema } from "./agent";
import { type ParseResult, parseFrame } from "./frame";

/** Largest binary frame on either socket of an RDP session (a larger one closes the socket that sent it). */
export const MAX_RDP_CHUNK = 64 * 1024;

export const AgentRdpDataFrameSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready") }),
  z.object({ t: z.literal("error"), code: FailureCodeSchema, message: z.string().max(4096) }),
]);
export type AgentRdpDataFrame = z.infer<typeof AgentRdpDataFrameSchema>;

export const EdgeRdpDataFrameSchema = z.object({ t: z.literal("close"), reason: z.string().max(1024) });
export type EdgeRdpDataFrame = z.infer<typeof EdgeRdpDataFrameSchema>;

export const AGENT_RDP_DATA_FRAME_TYPES: ReadonlySet<string> = new Set(
  AgentRdpDataFrameSchema.options.map((o) => o.shape.t.value),
);

export function parseAgentRdpDataFrame(data: unknown): ParseResult<AgentRdpDataFrame> {
  return parseFrame(AgentRdpDataFrameSchema, data);
}

export function parseEdgeRdpDataFrame(data: unknown): ParseResult<EdgeRdpDataFrame> {
  return parseFrame(EdgeRdpDataFrameSchema, data);
}
