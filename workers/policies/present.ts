// How the API shows policies, their rules and the engine's decisions: field by field, in snake_case.
import { iso } from "../contract/schemas.ts";
import type { Decision as EngineDecision } from "../policy/index.ts";
import type { Decision, Policy, PolicyRule } from "./schemas.ts";
import type { PolicyRow, RuleRow } from "./store.ts";

export function presentRule(r: RuleRow): PolicyRule {
  return {
    id: r.id,
    policy_id: r.policyId,
    name: r.name,
    description: r.description,
    pattern: r.pattern,
    pattern_type: r.patternType,
    severity: r.severity,
    examples: r.examples,
    applies_to_types: r.appliesToTypes,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function presentPolicy(p: PolicyRow, rules: RuleRow[]): Policy {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    is_active: p.isActive,
    applies_to_roles: p.appliesToRoles,
    applies_to_connections: p.appliesToConnections,
    blocked_commands: rules.map(presentRule),
    allowed_commands: p.allowedCommands,
    require_approval: p.requireApproval,
    auto_disconnect_on_violation: p.autoDisconnectOnViolation,
    notify_on_violation: p.notifyOnViolation,
    uncheckable_action: p.uncheckableAction,
    version: p.version,
    created_by_user_id: p.createdByUserId,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function presentDecision(d: EngineDecision): Decision {
  return {
    decision: d.decision,
    rule: d.rule
      ? {
          id: d.rule.id,
          name: d.rule.name,
          policy_id: d.rule.policyId,
          policy_name: d.rule.policyName,
          severity: d.rule.severity,
          pattern_type: d.rule.patternType,
        }
      : null,
    policy: d.policy ? { id: d.policy.id, name: d.policy.name } : null,
    reason: d.reason,
    severity: d.severity,
    command_type: d.commandType,
    risk_level: d.riskLevel,
    auto_disconnect: d.autoDisconnect,
    notify: d.notify,
    commands: d.commands,
    matched_command: d.matchedCommand,
    flags: d.flags,
    uncheckable: d.uncheckable ?? [],
  };
}
