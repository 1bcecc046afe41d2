// One command on a connection's server without a terminal: checked by the policy engine, run through an
// SSH exec channel of the connection's agent, and kept as a COMMAND row of a short exec-only SESSION
// (every command belongs to a session in the data model). A command that reached a shell is always on
// record: its rows are written before it runs, and until the outcome is written the row says honestly
// that none was recorded. The route answers once the command ended (runExec) or streams its output
// (stream.ts); both share prepareExec and finishExec, so records, audit and policy are the same.

import type { ExecRequestFrame } from "@nostromo/protocol";
import type { ExecOutcome } from "../agent-link/execs.ts";
import { recordAudit } from "../audit/audit.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { ApiError, type ErrorCode } from "../errors.ts";
import { toStorable } from "../lib/storable-text.ts";
import { loadCompiledPolicies } from "../policies/compiled.ts";
import { evaluateCommand } from "../policy/index.ts";
import { liveRow } from "../sessions/live-row.ts";
import { sessionStore } from "../sessions/store.ts";
import { assertAgentOfTenant, buildTarget, TargetError } from "../sessions/target.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { EXEC_MAX_OUTPUT, type ExecBody, type ExecResult } from "./schemas.ts";

export type Caller = Pick<UserPrincipal, "id" | "email" | "roleId" | "loginId">;

async function target(ctx: TenantContext, connectionId: string) {
  try {
    const built = await buildTarget(ctx.env, ctx.db, ctx.tenant, connectionId);
    await assertAgentOfTenant(ctx.control, built.agentId, ctx.tenant.id);
    return built;
  } catch (err) {
    if (err instanceof TargetError) {
      if (err.message === "No such connection") throw new ApiError("NOT_FOUND", err.message);
      throw new ApiError(err.code === "NO_AGENT" ? "AGENT_OFFLINE" : "INVALID_STATE", err.message);
    }
    throw err;
  }
}

const FAILURE: Record<string, ErrorCode> = { AUTH_FAILED: "TARGET_AUTH_FAILED", TIMEOUT: "GATEWAY_TIMEOUT" };

/** An allowed command on record, about to be sent to its agent. */
export interface ExecRun {
  sessionId: string;
  commandId: string;
  connectionId: string;
  started: Date;
  command: string;
  agentId: string;
  frame: ExecRequestFrame;
}

/** Checks the command against the policies and puts it on record; a refusal is audited and thrown
 * (403 FORBIDDEN with command_id, decision, rule, risk_level): it never reaches the agent. */
export async function prepareExec(
  ctx: TenantContext,
  caller: Caller,
  connectionId: string,
  body: ExecBody,
): Promise<ExecRun> {
  const built = await target(ctx, connectionId);
  const compiled = await loadCompiledPolicies(ctx.db, ctx.tenant.id);
  const decision = evaluateCommand(compiled, body.command, {
    roleId: caller.roleId,
    connectionId,
    connectionType: built.connection.type,
  });
  const started = new Date();
  const base = {
    userId: caller.id,
    command: body.command,
    commandType: decision.commandType,
    riskLevel: decision.riskLevel,
    policyId: decision.rule?.policyId ?? decision.policy?.id ?? null,
    source: "exec",
  };
  const allowed = decision.decision === "allow";
  const reason =
    decision.decision === "block"
      ? decision.reason
      : `Needs approval, which exec cannot wait for: ${decision.reason}`;
  const { sessionId, commandId } = await sessionStore(ctx).createExec(
    {
      // The opening row every session kind writes, ended at once: exec is one command, no live room.
      ...liveRow(ctx, caller, { connectionId, agentId: built.agentId, isRecording: false }),
      status: "ended",
      startedAt: started,
      endedAt: started,
      durationSeconds: 0,
      totalCommands: 1,
      blockedCommands: allowed ? 0 : 1,
    },
    allowed
      ? { ...base, status: "error", errorMessage: "no outcome recorded" }
      : { ...base, status: "blocked", wasBlocked: true, blockedReason: reason },
  );
  const where = { sessionId, connectionId };
  if (!allowed) {
    await recordAudit(ctx, {
      type: "command.blocked",
      action: "exec",
      description: `Blocked: ${body.command.slice(0, 200)}`,
      status: "failure",
      ...where,
      metadata: { commandId, rule: decision.rule, decision: decision.decision },
    });
    await recordAudit(ctx, {
      type: "policy.violation",
      action: "exec",
      description: reason.slice(0, 500),
      status: "warning",
      ...where,
      metadata: { rule: decision.rule },
    });
    throw new ApiError("FORBIDDEN", reason, {
      command_id: commandId,
      decision: decision.decision,
      rule: decision.rule,
      risk_level: decision.riskLevel,
    });
  }
  return {
    sessionId,
    commandId,
    connectionId,
    started,
    command: body.command,
    agentId: built.agentId,
    frame: {
      t: "exec.request",
      requestId: crypto.randomUUID(),
      target: built.target,
      command: body.command,
      timeoutMs: body.timeout_ms,
      maxOutputBytes: EXEC_MAX_OUTPUT,
    },
  };
}

/** The connection's agent link. */
export function agentLinkOf(ctx: TenantContext, run: ExecRun) {
  return ctx.env.AGENT_LINK.get(ctx.env.AGENT_LINK.idFromName(run.agentId));
}

/** The agent could not be reached: the command never ran, its records go. */
export async function execUndelivered(ctx: TenantContext, run: ExecRun): Promise<never> {
  await sessionStore(ctx).discard(run.sessionId);
  throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline or did not answer");
}

/** Writes the outcome on record and audits it; a failed run is thrown as its ApiError (with command_id). */
export async function finishExec(
  ctx: TenantContext,
  caller: Caller,
  run: ExecRun,
  result: ExecOutcome | null,
): Promise<ExecResult> {
  if (!result) return execUndelivered(ctx, run);
  const { sessionId, commandId, connectionId, started } = run;
  const ok = result.t === "exec.result";
  const status = ok
    ? result.exitCode === 0
      ? "executed"
      : "error"
    : result.code === "TIMEOUT"
      ? "timeout"
      : "error";
  const durationMs = ok ? Math.round(result.durationMs) : Date.now() - started.getTime();
  await sessionStore(ctx).finishExec(
    { sessionId, commandId, connectionId },
    {
      status,
      output: ok ? toStorable(result.output) : null,
      outputTruncated: ok ? result.truncated : false,
      exitCode: ok ? result.exitCode : null,
      errorMessage: ok ? (result.signal ? `killed by ${result.signal}` : null) : toStorable(result.message),
      durationMs,
    },
    durationMs,
  );
  await recordAudit(ctx, {
    type: ok && result.exitCode === 0 ? "command.executed" : "command.failed",
    action: "exec",
    description: `${caller.email} ran: ${run.command.slice(0, 200)}`,
    status: ok && result.exitCode === 0 ? "success" : "failure",
    sessionId,
    connectionId,
    metadata: { commandId, exitCode: ok ? result.exitCode : null },
  });
  if (!ok) {
    throw new ApiError(FAILURE[result.code] ?? "TARGET_UNREACHABLE", result.message, {
      command_id: commandId,
    });
  }
  return {
    command_id: commandId,
    output: result.output,
    exit_code: result.exitCode,
    duration_ms: durationMs,
    truncated: result.truncated,
  };
}

/** One command, answered once it ended. */
export async function runExec(
  ctx: TenantContext,
  caller: Caller,
  connectionId: string,
  body: ExecBody,
): Promise<ExecResult> {
  const run = await prepareExec(ctx, caller, connectionId, body);
  return finishExec(ctx, caller, run, await agentLinkOf(ctx, run).exec(run.frame));
}
