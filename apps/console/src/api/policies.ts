// The organization's command policies (/api/policies) and their rules (/api/policies/:id/rules), and the
// "test a command" check (POST /api/policies/evaluate): which decision the enforcement would take, the
// risk, and the rule that decided it.
import type { paths } from "@nostromo/client";
import { api, ok, type Page, type Schemas } from "./http.ts";

export const PATTERN_TYPES = ["contains", "command", "exact", "regex"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const UNCHECKABLE_ACTIONS = ["block", "require_approval", "allow"] as const;

export type Policy = Schemas["Policy"];
export type PolicyRule = Schemas["BlockedCommand"];
export type Evaluation = Schemas["PolicyDecision"];

const byId = (id: string) => ({ params: { path: { id } } });

export function listPolicies(page = 1, pageSize = 100): Promise<Page<Policy>> {
  return ok(api.GET("/api/policies", { params: { query: { page, page_size: pageSize } } }));
}

export function getPolicy(id: string): Promise<Policy> {
  return ok(api.GET("/api/policies/{id}", byId(id)));
}

export interface NewRule {
  name: string;
  pattern: string;
  patternType: (typeof PATTERN_TYPES)[number];
  severity: (typeof SEVERITIES)[number];
}

export interface NewPolicy {
  name: string;
  description: string;
  isActive: boolean;
  uncheckableAction: (typeof UNCHECKABLE_ACTIONS)[number];
  rules: NewRule[];
}

const ruleBody = (r: NewRule) => ({
  name: r.name,
  pattern: r.pattern,
  pattern_type: r.patternType,
  severity: r.severity,
});

export function createPolicy(p: NewPolicy): Promise<Policy> {
  const body = {
    name: p.name,
    description: p.description || undefined,
    is_active: p.isActive,
    uncheckable_action: p.uncheckableAction,
    blocked_commands: p.rules.map(ruleBody),
  };
  return ok(api.POST("/api/policies", { body }));
}

export type PolicyChange = NonNullable<
  paths["/api/policies/{id}"]["patch"]["requestBody"]
>["content"]["application/json"];

export function updatePolicy(id: string, change: PolicyChange): Promise<Policy> {
  return ok(api.PATCH("/api/policies/{id}", { ...byId(id), body: change }));
}

export async function deletePolicy(id: string): Promise<void> {
  await api.DELETE("/api/policies/{id}", byId(id));
}

export async function addRule(policyId: string, rule: NewRule): Promise<void> {
  await api.POST("/api/policies/{id}/rules", { ...byId(policyId), body: ruleBody(rule) });
}

export async function updateRule(policyId: string, ruleId: string, rule: NewRule): Promise<void> {
  await api.PATCH("/api/policies/{id}/rules/{rule_id}", {
    params: { path: { id: policyId, rule_id: ruleId } },
    body: ruleBody(rule),
  });
}

export async function deleteRule(policyId: string, ruleId: string): Promise<void> {
  await api.DELETE("/api/policies/{id}/rules/{rule_id}", {
    params: { path: { id: policyId, rule_id: ruleId } },
  });
}

export function evaluateCommand(command: string): Promise<Evaluation> {
  return ok(api.POST("/api/policies/evaluate", { body: { command } }));
}
