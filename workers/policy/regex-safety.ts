// Admission of a rule when an admin creates or changes it (checkRule). A user's regex runs on every
// command line of every session, so it must provably run in linear time:
// - the regex must compile as an ECMAScript RegExp without flags (how match.ts compiles it);
// - backreferences and lookbehind are refused outright: no analysis bounds them;
// - recheck (makenowjust-labs, the automaton-based ReDoS checker) must prove the regex linear. Its
//   pure-JS build runs unchanged in workerd and Node; only the automaton checker is used, because its
//   "safe" is a proof while the fuzzing checker's is only a failure to find an attack. Polynomial
//   (super-linear) is refused as well as exponential — `\s*#?\s*$` takes 16 s on 4,000 spaces in V8.
//   A regex the checker cannot decide within CHECK_TIMEOUT_MS (or does not support, e.g. lookahead)
//   is refused too.
// At run time match.ts additionally bounds every text given to a regex to MAX_REGEX_INPUT characters,
// which keeps even a rule that bypassed this gate (seeded rows, older data) from hanging a session
// beyond polynomial time on 4 KiB.
// A `command` rule's spec must pass its zod schema (command-spec.ts).
// Finally every example must be matched through the real parse + match path of evaluateCommand.

import * as recheckModule from "recheck/lib/browser.js";
import { parseCommandSpec } from "./command-spec.ts";
import { compilePolicies, evaluateCommand } from "./evaluate.ts";
import { compileRegex, MAX_PATTERN_LENGTH } from "./match.ts";
import type { PatternType, RuleCheckResult } from "./types.ts";

export const CHECK_TIMEOUT_MS = 10_000;

const checkSync = recheckModule.checkSync ?? recheckModule.default.checkSync;

/** Constructs no linearity analysis bounds; null when there are none. */
export function unboundedConstruct(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const n = pattern[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(n)) return "a backreference";
      if (!inClass && n === "k" && pattern[i + 2] === "<") return "a named backreference";
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++;
    } else if (c === "(" && (pattern.startsWith("(?<=", i) || pattern.startsWith("(?<!", i))) {
      return "a lookbehind";
    }
  }
  return null;
}

function regexProblem(pattern: string): RuleCheckResult | null {
  try {
    compileRegex(pattern);
  } catch (e) {
    return {
      ok: false,
      code: "INVALID_REGEX",
      message: `invalid regular expression: ${(e as Error).message}`,
    };
  }
  const construct = unboundedConstruct(pattern);
  if (construct !== null) {
    return {
      ok: false,
      code: "UNSAFE_REGEX",
      message: `the regular expression uses ${construct}, whose running time cannot be bounded; rewrite it without`,
    };
  }
  const diag = checkSync(pattern, "", { checker: "automaton", timeout: CHECK_TIMEOUT_MS });
  if (diag.status === "safe") return null;
  if (diag.status === "vulnerable") {
    const attack =
      diag.attack.string.length > 40 ? `${diag.attack.string.slice(0, 40)}…` : diag.attack.string;
    return {
      ok: false,
      code: "UNSAFE_REGEX",
      message:
        `the regular expression can take ${diag.complexity.summary} time, e.g. on ` +
        `${JSON.stringify(attack)}; avoid adjacent or nested quantifiers that can match the same text, such as \\s+.* or (a+)+`,
    };
  }
  const error = diag.error;
  const detail =
    error.kind === "timeout"
      ? `no proof within ${CHECK_TIMEOUT_MS} ms`
      : "message" in error
        ? error.message
        : error.kind;
  return {
    ok: false,
    code: "UNSAFE_REGEX",
    message: `the regular expression could not be proven to run in linear time (${detail}); simplify it`,
  };
}

export function checkRule(rule: {
  pattern: string;
  patternType: PatternType;
  examples?: string[];
}): RuleCheckResult {
  const { pattern, patternType } = rule;
  if (pattern.trim() === "" || pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      code: "INVALID_PATTERN",
      message: `the pattern must be non-blank and at most ${MAX_PATTERN_LENGTH} characters`,
    };
  }
  if (patternType === "regex") {
    const problem = regexProblem(pattern);
    if (problem !== null) return problem;
  }
  if (patternType === "command") {
    const spec = parseCommandSpec(pattern);
    if (!spec.ok) return { ok: false, code: "INVALID_PATTERN", message: spec.message };
  }
  const examples = rule.examples ?? [];
  if (examples.length === 0) return { ok: true };
  const compiled = compilePolicies([
    {
      id: "check",
      name: "check",
      isActive: true,
      appliesToRoles: [],
      appliesToConnections: [],
      blockedCommands: [
        {
          id: "candidate",
          policyId: "check",
          name: "candidate",
          pattern,
          patternType,
          severity: "low",
          appliesToTypes: [],
        },
      ],
      requireApproval: false,
      autoDisconnectOnViolation: false,
      notifyOnViolation: false,
    },
  ]);
  for (const example of examples) {
    const d = evaluateCommand(compiled, example);
    if (d.rule?.id !== "candidate") {
      return {
        ok: false,
        code: "EXAMPLE_NOT_MATCHED",
        message: `example ${JSON.stringify(example)} is not matched by the rule (evaluated as: ${JSON.stringify(d.commands)})`,
        example,
      };
    }
  }
  return { ok: true };
}
