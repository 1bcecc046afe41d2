// The shared starter corpus (../shared/corpus/command-policy.json, copied to test/fixtures): with its rules as one active policy
// that applies to everything, every must_block line is blocked and every must_allow line allowed.
//
// One correction is applied, and pinned by its own test: the corpus (like the seed data model) writes
// the fork-bomb rule as `:(\)\{\s*:\|:\&\s*\};:`, whose `(` opens a group that never closes — invalid in
// ECMAScript (and in PCRE/Python). The engine refuses it (checkRule → INVALID_REGEX, compilePolicies →
// PolicyCompileError), so the test escapes that one `(`. Once the corpus is fixed the pattern compiles
// and is used as is.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkRule,
  compilePolicies,
  evaluateCommand,
  type PatternType,
  PolicyCompileError,
  type RuleInput,
  type Severity,
} from "../../workers/policy/index.ts";

interface Corpus {
  rules: { name: string; pattern_type: PatternType; pattern: string; severity: Severity }[];
  must_block: string[];
  must_allow: string[];
}

// The committed copy (test/fixtures/command-policy.json), so the suite runs from a plain clone;
// test/unit/corpus-copy.test.ts checks it against ../shared when that folder is present.
const corpus = JSON.parse(
  readFileSync(new URL("../fixtures/command-policy.json", import.meta.url), "utf8"),
) as Corpus;

const SEED_FORK_BOMB = ":(\\)\\{\\s*:\\|:\\&\\s*\\};:";
const FIXED_FORK_BOMB = ":\\(\\)\\{\\s*:\\|:\\&\\s*\\};:";

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const rules: RuleInput[] = corpus.rules.map((r, i) => ({
  id: `corpus-${i}`,
  policyId: "corpus",
  name: r.name,
  pattern: r.pattern === SEED_FORK_BOMB && !compiles(r.pattern) ? FIXED_FORK_BOMB : r.pattern,
  patternType: r.pattern_type,
  severity: r.severity,
  appliesToTypes: [],
}));

const compiled = compilePolicies([
  {
    id: "corpus",
    name: "Corpus",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: rules,
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: true,
  },
]);

describe("command-policy corpus", () => {
  it("has the sections this test relies on", () => {
    expect(corpus.rules.length).toBeGreaterThan(0);
    expect(corpus.must_block.length).toBeGreaterThan(0);
    expect(corpus.must_allow.length).toBeGreaterThan(0);
  });

  it.each(corpus.must_block)("blocks %j", (line) => {
    const d = evaluateCommand(compiled, line);
    expect(d.decision, d.reason).toBe("block");
    expect(d.rule).not.toBeNull();
  });

  it.each(corpus.must_allow)("allows %j", (line) => {
    const d = evaluateCommand(compiled, line);
    expect(d.decision, d.reason).toBe("allow");
    expect(d.flags).toEqual([]);
  });

  it.each(rules)("admits rule $name through checkRule", (rule) => {
    expect(checkRule({ pattern: rule.pattern, patternType: rule.patternType })).toEqual({ ok: true });
  }, 60_000);
});

describe("the seed's fork-bomb regex", () => {
  it("is refused as invalid by the admission gate and by compilation", () => {
    expect(checkRule({ pattern: SEED_FORK_BOMB, patternType: "regex" })).toMatchObject({
      ok: false,
      code: "INVALID_REGEX",
    });
    const bad = { ...(rules[0] as RuleInput), id: "seed-fork-bomb", pattern: SEED_FORK_BOMB };
    expect(() =>
      compilePolicies([
        {
          id: "p",
          name: "p",
          isActive: true,
          appliesToRoles: [],
          appliesToConnections: [],
          blockedCommands: [bad],
          requireApproval: false,
          autoDisconnectOnViolation: false,
          notifyOnViolation: false,
        },
      ]),
    ).toThrow(PolicyCompileError);
  });

  it("matches the raw line once its `(` is escaped, though no simple command shows it", () => {
    expect(
      checkRule({ pattern: FIXED_FORK_BOMB, patternType: "regex", examples: [":(){ :|:& };:"] }),
    ).toEqual({ ok: true });
  }, 60_000);
});
