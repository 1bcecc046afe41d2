// Policies and their rules: read, change (every change bumps the version, invalidates the compiled set
// and is audited with what changed) and evaluate a command line as a session would. Takes a
// TenantContext, never a request.

import { Permission } from "@nostromo/permissions";
import { recordAudit } from "../audit/audit.ts";
import { can } from "../auth/guard.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { loadConnection } from "../connections/service.ts";
import { pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { evaluateCommand, PolicyCompileError } from "../policy/index.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { assertRole, assertRule, assertScope } from "./checks.ts";
import { invalidatePolicies, loadCompiledPolicies } from "./compiled.ts";
import { presentDecision, presentPolicy, presentRule } from "./present.ts";
import type {
  EvaluateBody,
  Policy,
  PolicyCreate,
  PolicyQuery,
  PolicyRule,
  PolicyUpdate,
  RuleCreate,
  RuleUpdate,
} from "./schemas.ts";
import { type NewRule, type PolicyChange, policyStore, type RuleChange, type RuleRow } from "./store.ts";

function ruleValues(r: RuleCreate, createdAt: Date): NewRule {
  return {
    name: r.name,
    description: r.description,
    pattern: r.pattern,
    patternType: r.pattern_type,
    severity: r.severity,
    examples: r.examples,
    appliesToTypes: r.applies_to_types,
    // Rules are evaluated in creation order (ties broken by it): a batch gets distinct, increasing times.
    createdAt,
  };
}

export async function getPolicy(ctx: TenantContext, id: string): Promise<Policy> {
  const store = policyStore(ctx);
  const p = await store.find(id);
  if (!p) throw new ApiError("NOT_FOUND", "No such policy");
  return presentPolicy(p, (await store.rulesOf([id])).get(id) ?? []);
}

export async function listPolicies(ctx: TenantContext, q: PolicyQuery) {
  const store = policyStore(ctx);
  const { rows, total } = await store.list(q);
  const rules = await store.rulesOf(rows.map((p) => p.id));
  return pageOf(
    q,
    rows.map((p) => presentPolicy(p, rules.get(p.id) ?? [])),
    total,
  );
}

export async function evaluate(ctx: TenantContext, u: UserPrincipal, b: EvaluateBody) {
  let roleId = u.roleId;
  if (b.role_id && b.role_id !== u.roleId) {
    if (!can(u, Permission.MANAGE_POLICIES)) {
      throw new ApiError("FORBIDDEN", "Only policy managers may evaluate as another role", {
        missing: [Permission.MANAGE_POLICIES],
      });
    }
    await assertRole(ctx, b.role_id);
    roleId = b.role_id;
  }
  let connectionType = b.connection_type ?? null;
  if (b.connection_id) {
    const conn = await loadConnection(ctx.db, ctx.tenant.id, b.connection_id);
    if (!conn) throw new ApiError("NOT_FOUND", "No such connection");
    connectionType = conn.type;
  }
  try {
    const compiled = await loadCompiledPolicies(ctx.db, ctx.tenant.id);
    const d = evaluateCommand(compiled, b.command, {
      roleId,
      connectionId: b.connection_id ?? null,
      connectionType,
    });
    return presentDecision(d);
  } catch (err) {
    if (err instanceof PolicyCompileError) {
      throw new ApiError("INVALID_STATE", `A stored rule cannot be compiled: ${err.message}`, {
        policy_id: err.policyId,
        rule_id: err.ruleId,
        code: err.code,
      });
    }
    throw err;
  }
}

const ruleSummary = (r: Pick<PolicyRule, "name" | "pattern_type" | "pattern">) => ({
  name: r.name,
  pattern_type: r.pattern_type,
  pattern: r.pattern,
});

export async function createPolicy(ctx: TenantContext, u: UserPrincipal, b: PolicyCreate) {
  b.blocked_commands.forEach((r, i) => {
    assertRule(r, `blocked_commands.${i}.`);
  });
  await assertScope(ctx, b);
  const now = Date.now();
  const id = await policyStore(ctx).create(
    {
      name: b.name,
      description: b.description,
      isActive: b.is_active,
      appliesToRoles: b.applies_to_roles,
      appliesToConnections: b.applies_to_connections,
      allowedCommands: b.allowed_commands,
      requireApproval: b.require_approval,
      autoDisconnectOnViolation: b.auto_disconnect_on_violation,
      notifyOnViolation: b.notify_on_violation,
      uncheckableAction: b.uncheckable_action,
      createdByUserId: u.id,
    },
    b.blocked_commands.map((r, i) => ruleValues(r, new Date(now + i))),
  );
  invalidatePolicies(ctx.tenant.id);
  const created = await getPolicy(ctx, id);
  await recordAudit(ctx, {
    type: "policy.created",
    action: "create",
    description: `Created policy ${created.name} with ${created.blocked_commands.length} rule(s)`,
    metadata: {
      policy_id: id,
      name: created.name,
      is_active: created.is_active,
      rules: created.blocked_commands.map(ruleSummary),
      applies_to_roles: created.applies_to_roles,
      applies_to_connections: created.applies_to_connections,
      uncheckable_action: created.uncheckable_action,
    },
  });
  return created;
}

export async function updatePolicy(ctx: TenantContext, id: string, b: PolicyUpdate) {
  const before = await getPolicy(ctx, id);
  await assertScope(ctx, b);
  const change: PolicyChange = {};
  if (b.name !== undefined) change.name = b.name;
  if (b.description !== undefined) change.description = b.description;
  if (b.is_active !== undefined) change.isActive = b.is_active;
  if (b.applies_to_roles !== undefined) change.appliesToRoles = b.applies_to_roles;
  if (b.applies_to_connections !== undefined) change.appliesToConnections = b.applies_to_connections;
  if (b.allowed_commands !== undefined) change.allowedCommands = b.allowed_commands;
  if (b.require_approval !== undefined) change.requireApproval = b.require_approval;
  if (b.auto_disconnect_on_violation !== undefined)
    change.autoDisconnectOnViolation = b.auto_disconnect_on_violation;
  if (b.notify_on_violation !== undefined) change.notifyOnViolation = b.notify_on_violation;
  if (b.uncheckable_action !== undefined) change.uncheckableAction = b.uncheckable_action;
  await policyStore(ctx).update(id, change);
  invalidatePolicies(ctx.tenant.id);
  const after = await getPolicy(ctx, id);
  const changed = Object.keys(b) as (keyof typeof b & keyof Policy)[];
  await recordAudit(ctx, {
    type: "policy.updated",
    action: "update",
    description: `Updated policy ${after.name}: ${changed.join(", ")}`,
    metadata: {
      policy_id: id,
      version: after.version,
      changed,
      before: Object.fromEntries(changed.map((k) => [k, before[k]])),
      after: Object.fromEntries(changed.map((k) => [k, after[k]])),
    },
  });
  return after;
}

export async function deletePolicy(ctx: TenantContext, id: string): Promise<void> {
  const before = await getPolicy(ctx, id);
  await policyStore(ctx).remove(id);
  invalidatePolicies(ctx.tenant.id);
  await recordAudit(ctx, {
    type: "policy.deleted",
    action: "delete",
    description: `Deleted policy ${before.name} and its ${before.blocked_commands.length} rule(s)`,
    metadata: { policy_id: id, name: before.name, rules: before.blocked_commands.map(ruleSummary) },
  });
}

async function existingRule(ctx: TenantContext, policyId: string, ruleId: string): Promise<RuleRow> {
  const r = await policyStore(ctx).rule(policyId, ruleId);
  if (!r) throw new ApiError("NOT_FOUND", "No such rule in this policy");
  return r;
}

export async function addRule(ctx: TenantContext, policyId: string, b: RuleCreate) {
  assertRule(b, "");
  const row = await policyStore(ctx).addRule(policyId, ruleValues(b, new Date()));
  if (!row) throw new ApiError("NOT_FOUND", "No such policy");
  invalidatePolicies(ctx.tenant.id);
  const policy = await getPolicy(ctx, policyId);
  const rule = presentRule(row);
  await recordAudit(ctx, {
    type: "policy.updated",
    action: "rule_added",
    description: `Added rule ${rule.name} to policy ${policy.name}`,
    metadata: { policy_id: policyId, version: policy.version, rule },
  });
  return { rule, policy };
}

export async function updateRule(ctx: TenantContext, policyId: string, ruleId: string, b: RuleUpdate) {
  const old = await existingRule(ctx, policyId, ruleId);
  // The rule as it will be is what must pass: a new pattern against the old examples, and vice versa.
  // Checking costs up to seconds of CPU (the ReDoS proof), so a change of name or severity skips it.
  if (b.pattern !== undefined || b.pattern_type !== undefined || b.examples !== undefined) {
    assertRule(
      {
        pattern: b.pattern ?? old.pattern,
        pattern_type: b.pattern_type ?? old.patternType,
        examples: b.examples ?? old.examples,
      },
      "",
    );
  }
  const change: RuleChange = {};
  if (b.name !== undefined) change.name = b.name;
  if (b.description !== undefined) change.description = b.description;
  if (b.pattern !== undefined) change.pattern = b.pattern;
  if (b.pattern_type !== undefined) change.patternType = b.pattern_type;
  if (b.severity !== undefined) change.severity = b.severity;
  if (b.examples !== undefined) change.examples = b.examples;
  if (b.applies_to_types !== undefined) change.appliesToTypes = b.applies_to_types;
  const row = await policyStore(ctx).updateRule(policyId, ruleId, change);
  if (!row) throw new ApiError("NOT_FOUND", "No such rule in this policy");
  invalidatePolicies(ctx.tenant.id);
  const policy = await getPolicy(ctx, policyId);
  const rule = presentRule(row);
  await recordAudit(ctx, {
    type: "policy.updated",
    action: "rule_updated",
    description: `Updated rule ${rule.name} of policy ${policy.name}: ${Object.keys(b).join(", ")}`,
    metadata: { policy_id: policyId, version: policy.version, before: presentRule(old), after: rule },
  });
  return { rule, policy };
}

export async function deleteRule(ctx: TenantContext, policyId: string, ruleId: string): Promise<void> {
  const old = await existingRule(ctx, policyId, ruleId);
  await policyStore(ctx).deleteRule(policyId, ruleId);
  invalidatePolicies(ctx.tenant.id);
  const policy = await getPolicy(ctx, policyId);
  await recordAudit(ctx, {
    type: "policy.updated",
    action: "rule_deleted",
    description: `Deleted rule ${old.name} of policy ${policy.name}`,
    metadata: { policy_id: policyId, version: policy.version, rule: presentRule(old) },
  });
}
