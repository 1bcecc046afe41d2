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
