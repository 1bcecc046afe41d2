// The command-rule corpus (test/fixtures/command-rules.json) against the engine: its command specs are
// admitted by checkRule, and as one active policy they block every must_block line, allow every
// must_allow line and hold every must_escalate line for approval (the default uncheckable_action).
// test/integration/policy-command-rules.test.ts runs the same corpus through the API.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRule, compilePolicies, evaluateCommand, type Severity } from "../../workers/policy/index.ts";

interface Corpus {
  rules: { name: string; pattern_type: "command"; pattern: string; severity: Severity }[];
  must_block: string[];
  must_allow: string[];
  must_escalate: string[];
}

const corpus = JSON.parse(
  readFileSync(new URL("../fixtures/command-rules.json", import.meta.url), "utf8"),
) as Corpus;

const compiled = compilePolicies([
  {
    id: "corpus",
    name: "Command corpus",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: true,
    blockedCommands: corpus.rules.map((r, i) => ({
      id: `command-${i}`,
      policyId: "corpus",
      name: r.name,
      pattern: r.pattern,
      patternType: r.pattern_type,
      severity: r.severity,
      appliesToTypes: [],
    })),
  },
]);

function outcomes(lines: string[], want: string): string[] {
  const wrong: string[] = [];
  for (const line of lines) {
    const d = evaluateCommand(compiled, line, { connectionType: "ssh" });
    if (d.decision !== want) wrong.push(`${JSON.stringify(line)} → ${d.decision}: ${d.reason}`);
  }
  return wrong;
}

describe("command-rule corpus", () => {
  it("every rule is admitted", () => {
    for (const r of corpus.rules)
      expect(checkRule({ pattern: r.pattern, patternType: r.pattern_type })).toEqual({ ok: true });
  });

  it(`blocks all ${corpus.must_block.length} must_block lines, each by a command rule`, () => {
    expect(outcomes(corpus.must_block, "block")).toEqual([]);
    for (const line of corpus.must_block) {
      expect(evaluateCommand(compiled, line).rule?.patternType, line).toBe("command");
    }
  });

  it(`allows all ${corpus.must_allow.length} must_allow lines`, () => {
    expect(outcomes(corpus.must_allow, "allow")).toEqual([]);
  });

  it(`holds all ${corpus.must_escalate.length} must_escalate lines for approval, saying why`, () => {
    expect(outcomes(corpus.must_escalate, "require_approval")).toEqual([]);
    for (const line of corpus.must_escalate) {
      expect(evaluateCommand(compiled, line).reason, line).toContain("cannot be judged: ");
    }
  });
});
