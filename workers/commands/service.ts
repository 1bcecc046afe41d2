// Command records: search and present. Called by /api/commands and /api/remote-sessions/:id/commands.
import { iso, pageOf } from "../contract/schemas.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { CommandQuery, CommandRecord } from "./schemas.ts";
import { type CommandRow, commandStore } from "./store.ts";

export function presentCommand({ command: r, publicId }: CommandRow): CommandRecord {
  return {
    id: r.id,
    session_id: r.sessionId,
    session_public_id: publicId,
    user_id: r.userId,
    command: r.command,
    command_type: r.commandType,
    status: r.status,
    output: r.output,
    output_truncated: r.outputTruncated,
    exit_code: r.exitCode,
    error_message: r.errorMessage,
    risk_level: r.riskLevel,
    was_blocked: r.wasBlocked,
    blocked_reason: r.blockedReason,
    policy_id: r.policyId,
    source: r.source,
    approved_by_user_id: r.approvedByUserId,
    executed_at: iso(r.executedAt),
    duration_ms: r.durationMs,
    created_at: iso(r.createdAt),
  };
}

export async function searchCommands(ctx: TenantContext, q: CommandQuery) {
  const { rows, total } = await commandStore(ctx).list(q);
  return pageOf(q, rows.map(presentCommand), total);
}
