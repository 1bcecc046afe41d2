// Session data socket protocol (one WebSocket per live session, agent ↔ SessionRoom DO).
// Binary frames carry raw terminal bytes both ways; text frames are the JSON control messages below.
import { z } from "zod";
import { FailureCodeSchema, TerminalSizeSchema } from "./agent";
import { type ParseResult, parseFrame } from "./frame";

// ── edge → agent ────────────────────────────────────────────────────────────────────────────────

export const DataResizeSchema = TerminalSizeSchema.extend({ t: z.literal("resize") });
export const DataCloseSchema = z.object({ t: z.literal("close"), reason: z.string().max(1024) });

/** Sent when the data socket is accepted: how many output bytes the edge has stored for this shell. A
 * reconnecting agent re-sends what came after (bytes it wrote into a socket that died are otherwise lost). */
export const DataResumeSchema = z.object({ t: z.literal("resume"), offset: z.number().int().nonnegative() });

export const EdgeDataFrameSchema = z.discriminatedUnion("t", [
  DataResizeSchema,
  DataCloseSchema,
  DataResumeSchema,
]);
export type EdgeDataFrame = z.infer<typeof EdgeDataFrameSchema>;

// ── agent → edge ────────────────────────────────────────────────────────────────────────────────

/** Sent on every (re)connect of the data socket; `resumed` is true when output buffered during a gap follows. */
export const DataReadySchema = z.object({ t: z.literal("ready"), resumed: z.boolean().optional() });
export const DataExitSchema = z.object({
  t: z.literal("exit"),
  code: z.number().int().nullable(),
  signal: z.string().max(64).nullable(),
});
export const DataErrorSchema = z.object({
  t: z.literal("error"),
  code: FailureCodeSchema,
  message: z.string().max(4096),
});

export const AgentDataFrameSchema = z.discriminatedUnion("t", [
  DataReadySchema,
  DataExitSchema,
  DataErrorSchema,
]);
export type AgentDataFrame = z.infer<typeof AgentDataFrameSchema>;

// ── limits and known types (see evolution.ts) ───────────────────────────────────────────────────

/** Largest binary (terminal output) frame the agent sends. */
export const MAX_OUTPUT_FRAME_BYTES = 256 * 1024;
/** Largest binary frame the edge accepts on a data socket: the agent's limit with room for an older
 * agent that coalesced one more SSH read past it; anything bigger closes the socket (1009). */
export const MAX_DATA_FRAME_BYTES = 1024 * 1024;
/** WebSocket close code for a frame over the limit (RFC 6455: "message too big"). */
export const FRAME_TOO_BIG_CLOSE_CODE = 1009;

export const AGENT_DATA_FRAME_TYPES: ReadonlySet<string> = new Set(
  AgentDataFrameSchema.options.map((o) => o.shape.t.value),
);
export const EDGE_DATA_FRAME_TYPES: ReadonlySet<string> = new Set(
  EdgeDataFrameSchema.options.map((o) => o.shape.t.value),
);

/** Parses a data-socket text frame from the agent (edge side). Never throws. */
export function parseAgentDataFrame(data: unknown): ParseResult<AgentDataFrame> {
  return parseFrame(AgentDataFrameSchema, data);
}

/** Parses a data-socket text frame from the edge (agent side). Never throws. */
export function parseEdgeDataFrame(data: unknown): ParseResult<EdgeDataFrame> {
  return parseFrame(EdgeDataFrameSchema, data);
}

export function encodeAgentDataFrame(frame: AgentDataFrame): string {
  return JSON.stringify(frame);
}

export function encodeEdgeDataFrame(frame: EdgeDataFrame): string {
  return JSON.stringify(frame);
}
