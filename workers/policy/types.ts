// Public types of the command-policy engine. Field names follow the seed's POLICY / BLOCKED_COMMAND
// entities in camelCase; routes map database rows onto these before compiling.

/** The seed's exact | contains | regex, and `command` (a program/options/operands spec: command-spec.ts). */
export type PatternType = "exact" | "contains" | "regex" | "command";
export type Severity = "low" | "medium" | "high" | "critical";
export type ConnectionType = "ssh" | "rdp" | "vnc" | "telnet";
export type CommandType = "shell" | "system" | "file" | "network" | "admin";

export interface RuleInput {
  id: string;
  policyId: string;
  name: string;
  description?: string | null;
  pattern: string;
  patternType: PatternType;
  severity: Severity;
  /** Empty = every connection type. */
  appliesToTypes: ConnectionType[];
  examples?: string[];
}

/** What a policy does with a line it cannot judge (a documented extension of the seed's POLICY). */
export type UncheckableAction = "allow" | "require_approval" | "block";

export interface PolicyInput {
  id: string;
  name: string;
  isActive: boolean;
  /** Role ids; empty = every role. */
  appliesToRoles: string[];
  /** Connection ids; empty = every connection. */
  appliesToConnections: string[];
  blockedCommands: RuleInput[];
  /** Allow-list; when non-empty, any program not on it is a violation (see docs/policy-engine.md). */
  allowedCommands?: string[] | null;
  requireApproval: boolean;
  autoDisconnectOnViolation: boolean;
  notifyOnViolation: boolean;
  /** Lines that cannot be judged statically; absent = require_approval (see docs/policy-engine.md). */
  uncheckableAction?: UncheckableAction;
}

/** Missing fields mean "unknown", and unknown never takes a policy out of scope (fail closed). */
export interface EvalContext {
  roleId?: string | null;
  connectionId?: string | null;
  connectionType?: ConnectionType | null;
}

/** Why the static view of a line may differ from what the shell runs. */
export type ParseFlag =
  | "incomplete"
  | "dynamic-program"
  | "depth-exceeded"
  | "runtime-args"
  | "too-long"
  | "expansion-limit"
  | "history-expansion"
  /** Code handed inline to an interpreter that cannot be read statically (python -c, perl -e…). */
  | "uncheckable-code"
  /** A script a shell or interpreter reads from a source the line does not show (curl … | sh). */
  | "opaque-script";

export type CommandOrigin =
  | "line"
  | "substitution"
  | "wrapper"
  | "shell-string"
  | "stdin-script"
  | "eval"
  | "xargs"
  | "find-exec"
  | "alias"
  | "trap"
  | "resolved"
  | "interpreter"
  | "remote";

export interface Redirect {
  op: string;
  fd: string;
  target: string;
}

export interface ParsedCommand {
  /** Program basename + arguments after quote removal, joined by single spaces. */
  canonical: string;
  /** Basename of the program; null when the name is only known at run time. */
  program: string | null;
  args: string[];
  origin: CommandOrigin;
  dynamicProgram: boolean;
  /** Arguments are appended at run time (xargs without visible input). */
  runtimeArgs: boolean;
  redirects: Redirect[];
}

export interface ParseResult {
  commands: ParsedCommand[];
  /** Whitespace-normalised source texts: the line and every nested shell string. */
  fragments: string[];
  flags: ParseFlag[];
  /** Why parts of the line cannot be judged, in words ("inline python uses eval"). */
  uncheckable: string[];
}

export interface DecisionRule {
  id: string;
  name: string;
  policyId: string;
  policyName: string;
  severity: Severity;
  patternType: PatternType;
}

export interface Decision {
  decision: "allow" | "block" | "require_approval";
  rule: DecisionRule | null;
  /** The policy behind the decision; set for allow-list violations too, where rule is null. */
  policy: { id: string; name: string } | null;
  reason: string;
  severity: Severity | null;
  commandType: CommandType;
  riskLevel: Severity;
  autoDisconnect: boolean;
  notify: boolean;
  commands: string[];
  matchedCommand: string | null;
  flags: ParseFlag[];
  /** Why parts of the line cannot be judged ("inline python uses eval"); empty when all was read.
   * Always set by evaluateCommand; optional so that decisions made outside the engine still type. */
  uncheckable?: string[];
}

export type RuleCheckCode = "INVALID_REGEX" | "UNSAFE_REGEX" | "EXAMPLE_NOT_MATCHED" | "INVALID_PATTERN";

export type RuleCheckResult =
  | { ok: true }
  | { ok: false; code: RuleCheckCode; message: string; example?: string };
