// The contract of POST /api/connections/:id/exec: one command and how long it may run; its output, exit
// code and duration, and the command record that keeps it; or, asked with `Accept: application/x-ndjson`,
// the same as a stream of ExecStreamEvent lines while the command runs.
import { z } from "zod";
import { Id } from "../contract/schemas.ts";

/** What the agent sends back at most; more is cut and `truncated` says so. */
export const EXEC_MAX_OUTPUT = 64 * 1024;

export const ExecBody = z
  .object({
    command: z
      .string()
      .min(1)
      .max(8 * 1024),
    timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  })
  .strict();
export type ExecBody = z.output<typeof ExecBody>;

export const ExecResult = z
  .object({
    /** The command record (GET /api/commands) that keeps this run. */
    command_id: Id,
    output: z.string(),
    exit_code: z.number().int().nullable(),
    duration_ms: z.number().int().min(0),
    truncated: z.boolean(),
  })
  .meta({ id: "ExecResult" });
export type ExecResult = z.infer<typeof ExecResult>;

/** The streamed answer's media type (one ExecStreamEvent per line). */
export const EXEC_STREAM_MEDIA = "application/x-ndjson";

const StreamError = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});

/** One line of the streamed answer: `start` first, `output` as it arrives, then `exit` or `error` last. */
export const ExecStreamEvent = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("start"), command_id: Id }),
    z.object({ type: z.literal("output"), stream: z.enum(["stdout", "stderr"]), data: z.string() }),
    z.object({
      type: z.literal("exit"),
      command_id: Id,
      exit_code: z.number().int().nullable(),
      duration_ms: z.number().int().min(0),
      /** The command's record kept only the first 64 KiB of its output. */
      truncated: z.boolean(),
    }),
    z.object({ type: z.literal("error"), error: StreamError }),
  ])
  .meta({ id: "ExecStreamEvent" });
export type ExecStreamEvent = z.infer<typeof ExecStreamEvent>;
