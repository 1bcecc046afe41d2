// The contract of command records (the seed's COMMAND) as the API shows them.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const CommandStatus = z.enum(["executed", "blocked", "error", "timeout"]);
export const RiskLevel = z.enum(["low", "medium", "high", "critical"]);

export const CommandRecord = z
  .object({
    id: Id,
    session_id: Id,
    /** The session's public id (what people read and type: `SES-…`). */
    session_public_id: z.string(),
    user_id: Id,
    command: z.string(),
    command_type: z.string(),
    status: CommandStatus,
    output: z.string().nullable(),
    output_truncated: z.boolean(),
    exit_code: z.number().int().nullable(),
    error_message: z.string().nullable(),
    risk_level: RiskLevel,
    was_blocked: z.boolean(),
    blocked_reason: z.string().nullable(),
    policy_id: Id.nullable(),
    /** "interactive" (typed in a live session) or "exec" (POST /api/connections/:id/exec). */
    source: z.string(),
    approved_by_user_id: Id.nullable(),
    executed_at: Timestamp,
    duration_ms: z.number().int(),
    created_at: Timestamp,
  })
  .meta({ id: "Command" });
export type CommandRecord = z.infer<typeof CommandRecord>;

export const CommandQuery = pageQuery.extend({
  q: z.string().trim().min(1).max(200).optional().describe("Text the command contains (case-insensitive)"),
  user_id: Id.optional(),
  session_id: Id.optional(),
  status: CommandStatus.optional(),
  risk_level: RiskLevel.optional(),
  from: Timestamp.optional().describe("Executed at or after"),
  to: Timestamp.optional().describe("Executed at or before"),
});
export type CommandQuery = z.output<typeof CommandQuery>;

export const CommandPage = pageSchema(CommandRecord);
