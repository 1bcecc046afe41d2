// The contract of POST /api/connections/:id/exec: one command and how long it may run; its output, exit
// code and duration, and the command record that keeps it.
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
