// Public surface of the command-policy engine: a pure module (no I/O, no Node APIs) shared by the
// session layer (evaluate each line) and the policy routes (checkRule when an admin saves a rule).
// See docs/policy-engine.md for what it guarantees and its limits.

export { classifyCommand } from "./classify.ts";
export { type PolicyCompileCode, PolicyCompileError } from "./errors.ts";
export { type CompiledPolicies, compilePolicies, evaluateCommand } from "./evaluate.ts";
export { MAX_REGEX_INPUT } from "./match.ts";
export { MAX_LINE_LENGTH, parseCommandLine } from "./parse-shell.ts";
export { checkRule } from "./regex-safety.ts";
export type {
  CommandOrigin,
  CommandType,
  ConnectionType,
  Decision,
  DecisionRule,
  EvalContext,
  ParsedCommand,
  ParseFlag,
  ParseResult,
  PatternType,
  PolicyInput,
  Redirect,
  RuleCheckCode,
  RuleCheckResult,
  RuleInput,
  Severity,
} from "./types.ts";
