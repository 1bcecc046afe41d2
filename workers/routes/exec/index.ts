// POST /api/connections/:id/exec { command }: one command through the policy engine and an SSH exec channel
// of the connection's agent → { output, exit_code, duration_ms }, stored as a COMMAND row (of a short
// exec-only SESSION, since every command belongs to a session in the data model).
import { Hono } from "hono";
import { z } from "zod";
import { audit } from "../../audit/audit.ts";
import { currentUser, requirePermission } from "../../auth/guard.ts";
import { Permission } from "../../auth/permissions.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { toStorable } from "../../lib/storable-text.ts";
import { idParam, readJson } from "../../lib/validate.ts";
import { loadCompiledPolicies } from "../../policies/compiled.ts";
import { evaluateCommand } from "../../policy/index.ts";
import { sessionStore } from "../../sessions/store.ts";
import { assertAgentOfTenant, buildTarget, TargetError } from "../../sessions/target.ts";
import { requestTenant } from "../../tenancy/context.ts";
import { FEATURES } from "../../tenancy/features.ts";
import { requireFeature } from "../../tenancy/resolver.ts";

export const EXEC_MAX_OUTPUT = 64 * 1024;

const execBody = z
  .object({
    command: z
      .string()
      .min(1)
      .max(8 * 1024),
    timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  })
  .strict();

export const execRoutes = new Hono<AppEnv>().post(
  "/:id/exec",
  requireFeature(FEATURES.EXEC),
  requirePermission(Permission.START_SESSION),
  async (c) => {
    const u = currentUser(c);
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const id = idParam(c);
    const body = await readJson(c, execBody);
    let built: Awaited<ReturnType<typeof buildTarget>>;
    try {
      built = await buildTarget(c.env, scope.db, scope.tenant, id);
      await assertAgentOfTenant(c.var.db, built.agentId, u.tenantId);
    } catch (err) {
      if (err instanceof TargetError) {
        if (err.message === "No such connection") throw new ApiError("NOT_FOUND", err.message);
        throw new ApiError(err.code === "NO_AGENT" ? "AGENT_OFFLINE" : "INVALID_STATE", err.message);
      }
      throw err;
    }
    const compiled = await loadCompiledPolicies(scope.db, u.tenantId);
    const decision = evaluateCommand(compiled, body.command, {
      roleId: u.roleId,
      connectionId: id,
      connectionType: built.connection.type,
    });
    const started = new Date();
    const base = {
      userId: u.id,
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
    // The session and its command row are written together (all or nothing) and before the command runs:
    // a command that reached a shell is always on record. Until the outcome is written below, the row
    // says honestly that none was recorded.
    const store = sessionStore(requestTenant(c));
    const { sessionId, commandId } = await store.createExec(
      {
        connectionId: id,
        initiatedByUserId: u.id,
        status: "ended",
        clientIp: c.var.clientIp,
        userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
        agentId: built.agentId,
        loginSessionId: u.loginId,
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
    if (!allowed) {
      await audit(c, {
        type: "command.blocked",
        action: "exec",
        description: `Blocked: ${body.command.slice(0, 200)}`,
        status: "failure",
        sessionId,
        connectionId: id,
        metadata: { commandId, rule: decision.rule, decision: decision.decision },
      });
      await audit(c, {
        type: "policy.violation",
        action: "exec",
        description: reason.slice(0, 500),
        status: "warning",
        sessionId,
        connectionId: id,
        metadata: { rule: decision.rule },
      });
      throw new ApiError("FORBIDDEN", reason, {
        command_id: commandId,
        decision: decision.decision,
        rule: decision.rule,
        risk_level: decision.riskLevel,
      });
    }
    const link = c.env.AGENT_LINK.get(c.env.AGENT_LINK.idFromName(built.agentId));
    const result = await link.exec({
      t: "exec.request",
      requestId: crypto.randomUUID(),
      target: built.target,
      command: body.command,
      timeoutMs: body.timeout_ms,
      maxOutputBytes: EXEC_MAX_OUTPUT,
    });
    if (!result) {
      await store.discard(sessionId);
      throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline or did not answer");
    }
    const ok = result.t === "exec.result";
    const status = ok
      ? result.exitCode === 0
        ? "executed"
        : "error"
      : result.code === "TIMEOUT"
        ? "timeout"
        : "error";
    const durationMs = ok ? Math.round(result.durationMs) : Date.now() - started.getTime();
    await store.finishExec(
      { sessionId, commandId, connectionId: id },
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
    await audit(c, {
      type: ok && result.exitCode === 0 ? "command.executed" : "command.failed",
      action: "exec",
      description: `${u.email} ran: ${body.command.slice(0, 200)}`,
      status: ok && result.exitCode === 0 ? "success" : "failure",
      sessionId,
      connectionId: id,
      metadata: { commandId, exitCode: ok ? result.exitCode : null },
    });
    if (!ok) {
      const code =
        result.code === "AUTH_FAILED"
          ? "TARGET_AUTH_FAILED"
          : result.code === "TIMEOUT"
            ? "GATEWAY_TIMEOUT"
            : "TARGET_UNREACHABLE";
      throw new ApiError(code, result.message, { command_id: commandId });
    }
    return c.json({
      command_id: commandId,
      output: result.output,
      exit_code: result.exitCode,
      duration_ms: durationMs,
      truncated: result.truncated,
    });
  },
);
