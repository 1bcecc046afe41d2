// The contract of /api/policies: the seed's POLICY and BLOCKED_COMMAND as requests and as the API shows
// them, and the evaluate request and decision. What a rule means (its regex is safe, its examples match)
// is checked by the engine's checkRule (checks.ts).
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const connectionTypes = ["ssh", "rdp", "vnc", "telnet"] as const;
const severities = ["low", "medium", "high", "critical"] as const;
const patternTypes = ["exact", "regex", "contains", "command"] as const;
const uncheckableActions = ["allow", "require_approval", "block"] as const;

/** Longest command line POST /evaluate accepts, in UTF-8 bytes. */
export const MAX_EVALUATE_BYTES = 8 * 1024;
const MAX_EXAMPLE_LENGTH = 4096;
/** The engine's own limit (workers/policy/match.ts); checkRule would answer INVALID_PATTERN past it. */
const MAX_PATTERN_LENGTH = 1024;

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !CONTROL.test(v), "must not contain control characters");

const unique = <T>(items: T[]): T[] => [...new Set(items)];

const ruleFields = {
  name: text(200),
  description: z.string().trim().max(2000),
  // Taken verbatim: leading spaces can matter to a "contains" pattern.
  pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_LENGTH)
    .refine((v) => v.trim() !== "", "must not be blank"),
  pattern_type: z.enum(patternTypes),
  severity: z.enum(severities),
  examples: z.array(z.string().min(1).max(MAX_EXAMPLE_LENGTH)).max(50),
  applies_to_types: z.array(z.enum(connectionTypes)).max(4).transform(unique),
};

export const RuleCreate = z
  .object({
    ...ruleFields,
    description: ruleFields.description.default(""),
    severity: ruleFields.severity.default("medium"),
    examples: ruleFields.examples.default([]),
    applies_to_types: ruleFields.applies_to_types.default([]),
  })
  .strict();
export type RuleCreate = z.output<typeof RuleCreate>;

export const RuleUpdate = z
  .object(ruleFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");
export type RuleUpdate = z.output<typeof RuleUpdate>;

const policyFields = {
  name: text(200),
  description: z.string().trim().max(2000),
  is_active: z.boolean(),
  applies_to_roles: z.array(z.uuid()).max(100).transform(unique),
  applies_to_connections: z.array(z.uuid()).max(1000).transform(unique),
  // null (or absent) = no whitelist; a list = only these programs (or "program subcommand" prefixes).
  allowed_commands: z.array(text(256)).max(500).transform(unique).nullable(),
  require_approval: z.boolean(),
  auto_disconnect_on_violation: z.boolean(),
  notify_on_violation: z.boolean(),
  // Extension of the seed: a line the engine cannot judge (inline code, piped scripts…) is allowed,
  // held for approval or blocked. Default require_approval: never silently allowed.
  uncheckable_action: z.enum(uncheckableActions),
};

export const PolicyCreate = z
  .object({
    ...policyFields,
    description: policyFields.description.default(""),
    is_active: policyFields.is_active.default(true),
    applies_to_roles: policyFields.applies_to_roles.default([]),
    applies_to_connections: policyFields.applies_to_connections.default([]),
    allowed_commands: policyFields.allowed_commands.default(null),
    require_approval: policyFields.require_approval.default(false),
    auto_disconnect_on_violation: policyFields.auto_disconnect_on_violation.default(false),
    notify_on_violation: policyFields.notify_on_violation.default(true),
    uncheckable_action: policyFields.uncheckable_action.default("require_approval"),
    // Each regex rule costs a ReDoS proof (hundreds of ms of CPU, more for complex ones) on admission.
    blocked_commands: z.array(RuleCreate).max(50).default([]),
  })
  .strict();
export type PolicyCreate = z.output<typeof PolicyCreate>;

export const PolicyUpdate = z
  .object(policyFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");
export type PolicyUpdate = z.output<typeof PolicyUpdate>;

export const PolicyQuery = pageQuery.extend({
  is_active: z.enum(["true", "false"]).optional(),
});
export type PolicyQuery = z.output<typeof PolicyQuery>;

const utf8 = new TextEncoder();

export const EvaluateBody = z
  .object({
    command: z
      .string()
      .min(1)
      .refine(
        (v) => utf8.encode(v).length <= MAX_EVALUATE_BYTES,
        `must be at most ${MAX_EVALUATE_BYTES} bytes`,
      ),
    connection_id: z.uuid().optional(),
    /** Evaluate as another role (policy managers testing a rule); default: the caller's role. */
    role_id: z.uuid().optional(),
    /** The connection type to assume when no connection is named; unknown = every type (fail closed). */
    connection_type: z.enum(connectionTypes).optional(),
  })
  .strict()
  .refine((b) => !(b.connection_id && b.connection_type), {
    message: "connection_type is taken from the connection: give one or the other",
    path: ["connection_type"],
  });
export type EvaluateBody = z.output<typeof EvaluateBody>;

export const PolicyRule = z
  .object({
    id: Id,
    policy_id: Id,
    name: z.string(),
    description: z.string(),
    pattern: z.string(),
    pattern_type: z.enum(patternTypes),
    severity: z.enum(severities),
    examples: z.array(z.string()),
    applies_to_types: z.array(z.enum(connectionTypes)),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "BlockedCommand" });
export type PolicyRule = z.infer<typeof PolicyRule>;

export const Policy = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string(),
    is_active: z.boolean(),
    applies_to_roles: z.array(Id),
    applies_to_connections: z.array(Id),
    /** The rules in the order the engine evaluates them (creation order). */
    blocked_commands: z.array(PolicyRule),
    allowed_commands: z.array(z.string()).nullable(),
    require_approval: z.boolean(),
    auto_disconnect_on_violation: z.boolean(),
    notify_on_violation: z.boolean(),
    uncheckable_action: z.enum(uncheckableActions),
    /** Bumped by every change of the policy or its rules. */
    version: z.number().int(),
    created_by_user_id: Id,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Policy" });
export type Policy = z.infer<typeof Policy>;

export const PolicyPage = pageSchema(Policy);

/** A rule change answers the rule and the policy as it now is (its version bumped). */
export const RuleChange = z.object({ rule: PolicyRule, policy: Policy });

export const Decision = z
  .object({
    decision: z.enum(["allow", "block", "require_approval"]),
    /** The rule that decided; null for an allow, an allow-list miss or a line that cannot be judged. */
    rule: z
      .object({
        id: Id,
        name: z.string(),
        policy_id: Id,
        policy_name: z.string(),
        severity: z.enum(severities),
        pattern_type: z.enum(patternTypes),
      })
      .nullable(),
    /** The policy behind the decision; set for allow-list misses too, where rule is null. */
    policy: z.object({ id: Id, name: z.string() }).nullable(),
    reason: z.string(),
    severity: z.enum(severities).nullable(),
    command_type: z.enum(["shell", "system", "file", "network", "admin"]),
    risk_level: z.enum(severities),
    auto_disconnect: z.boolean(),
    notify: z.boolean(),
    /** The commands the line runs, as the engine read them (chains, substitutions, wrappers unfolded). */
    commands: z.array(z.string()),
    matched_command: z.string().nullable(),
    flags: z.array(z.string()),
    /** Why parts of the line cannot be judged; empty when all of it was read. */
    uncheckable: z.array(z.string()),
  })
  .meta({ id: "PolicyDecision" });
export type Decision = z.infer<typeof Decision>;
