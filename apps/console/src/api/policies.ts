// The organization's command policies (GET/POST /api/policies) and the "test a command" check
// (POST /api/policies/evaluate): which decision the enforcement would take, the risk, and the rule that
// decided it.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strings, toPage, type Wire } from "./wire.ts";

export const PATTERN_TYPES = ["contains", "command", "exact", "regex"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const UNCHECKABLE_ACTIONS = ["block", "require_approval", "allow"] as const;

export interface PolicyRule {
  id: string;
  name: string;
  description: string;
  pattern: string;
  patternType: string;
  severity: string;
}

export interface Policy {
  id: string;
  name: string;
  description: string;
  isActive: boolean;
  requireApproval: boolean;
  autoDisconnect: boolean;
  uncheckableAction: string;
  version: number;
  rules: PolicyRule[];
}

const toRule = (r: Wire): PolicyRule => ({
  id: str(r, "id"),
  name: str(r, "name"),
  description: str(r, "description"),
  pattern: str(r, "pattern"),
  patternType: str(r, "patternType"),
  severity: str(r, "severity"),
});

function toPolicy(r: Wire): Policy {
  const rules = field(r, "blockedCommands");
  return {
    id: str(r, "id"),
    name: str(r, "name"),
    description: str(r, "description"),
    isActive: field(r, "isActive") === true,
    requireApproval: field(r, "requireApproval") === true,
    autoDisconnect: field(r, "autoDisconnectOnViolation") === true,
    uncheckableAction: str(r, "uncheckableAction"),
    version: Number(field(r, "version") ?? 1),
    rules: Array.isArray(rules) ? (rules as Wire[]).map(toRule) : [],
  };
}

export async function listPolicies(page = 1, pageSize = 100): Promise<Page<Policy>> {
  return toPage(
    await request<unknown>("GET", "/api/policies", { query: pageQuery(page, pageSize) }),
    toPolicy,
  );
}

export async function getPolicy(id: string): Promise<Policy> {
  return toPolicy(await request<Wire>("GET", `/api/policies/${encodeURIComponent(id)}`));
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

export async function createPolicy(p: NewPolicy): Promise<Policy> {
  const body = {
    name: p.name,
    description: p.description || undefined,
    is_active: p.isActive,
    uncheckable_action: p.uncheckableAction,
    blocked_commands: p.rules.map((r) => ({
      name: r.name,
      pattern: r.pattern,
      pattern_type: r.patternType,
      severity: r.severity,
    })),
  };
  return toPolicy(await request<Wire>("POST", "/api/policies", { body }));
}

export interface Evaluation {
  decision: string;
  reason: string;
  riskLevel: string;
  severity: string | null;
  commandType: string;
  rule: { id: string; name: string } | null;
  policy: { id: string; name: string } | null;
  matchedCommand: string | null;
  flags: string[];
}

function named(v: unknown): { id: string; name: string } | null {
  if (!v || typeof v !== "object") return null;
  return { id: str(v as Wire, "id"), name: str(v as Wire, "name") };
}

export async function evaluateCommand(command: string): Promise<Evaluation> {
  const r = await request<Wire>("POST", "/api/policies/evaluate", { body: { command } });
  const severity = field(r, "severity");
  const matched = field(r, "matchedCommand");
  return {
    decision: str(r, "decision"),
    reason: str(r, "reason"),
    riskLevel: str(r, "riskLevel"),
    severity: typeof severity === "string" ? severity : null,
    commandType: str(r, "commandType"),
    rule: named(field(r, "rule")),
    policy: named(field(r, "policy")),
    matchedCommand: typeof matched === "string" ? matched : null,
    flags: strings(r, "flags"),
  };
}
