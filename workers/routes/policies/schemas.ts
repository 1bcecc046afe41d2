// Input of /api/policies: the seed's POLICY and BLOCKED_COMMAND fields, and the evaluate request. What a
// rule means (its regex is safe, its examples match) is checked by the engine's checkRule in rules.ts.
import { z } from "zod";

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

export const ruleBody = z
  .object({
    ...ruleFields,
    description: ruleFields.description.default(""),
    severity: ruleFields.severity.default("medium"),
    examples: ruleFields.examples.default([]),
    applies_to_types: ruleFields.applies_to_types.default([]),
  })
  .strict();
export type RuleBody = z.output<typeof ruleBody>;

export const rulePatch = z
  .object(ruleFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");

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

export const createBody = z
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
    blocked_commands: z.array(ruleBody).max(50).default([]),
  })
  .strict();

export const updateBody = z
  .object(policyFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");

export const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  is_active: z.enum(["true", "false"]).optional(),
});

const utf8 = new TextEncoder();

export const evaluateBody = z
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
