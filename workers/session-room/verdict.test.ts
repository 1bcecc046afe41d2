import { describe, expect, it } from "vitest";
import type { Decision } from "../policy/index.ts";
import { HIDDEN, hiddenOutcome, pickStrictest, UNAVAILABLE } from "./verdict.ts";

const allow: Decision = { ...UNAVAILABLE, decision: "allow", reason: "allowed", commands: ["ls"] };
const rule = {
  id: "r",
  name: "No secrets",
  policyId: "p",
  policyName: "P",
  severity: "high" as const,
  patternType: "contains" as const,
};
const block: Decision = {
  ...UNAVAILABLE,
  decision: "block",
  rule,
  policy: { id: "p", name: "P" },
  reason: 'blocked: rule "No secrets" matched "hunter2"',
  commands: ["hunter2"],
  matchedCommand: "hunter2",
};
const unsure: Decision = { ...allow, decision: "require_approval", flags: ["incomplete"], reason: "unsure" };

describe("pickStrictest", () => {
  it("block > approval for a rule > approval for a flag > allow; first on ties", () => {
    expect(pickStrictest([allow, unsure, block], ["a", "b", "c"]).line).toBe("c");
    expect(pickStrictest([allow, unsure], ["a", "b"]).line).toBe("b");
    expect(pickStrictest([allow, allow], ["a", "b"]).line).toBe("a");
  });
});

describe("hiddenOutcome", () => {
  it("blocks a rule hit and quotes nothing of the text", () => {
    const out = hiddenOutcome(block, false);
    expect(out).not.toBe("allow");
    if (out === "allow") return;
    expect(JSON.stringify(out)).not.toContain("hunter2");
    expect(out.reason).toContain(HIDDEN);
    expect(out.decision.decision).toBe("block");
  });

  it("refuses a rule that needs approval (no approver may see it)", () => {
    const out = hiddenOutcome({ ...block, decision: "require_approval" }, false);
    expect(out === "allow" ? out : out.decision.decision).toBe("block");
  });

  it("lets a flag-only doubt through at a program's prompt, not at the shell's", () => {
    expect(hiddenOutcome(unsure, false)).toBe("allow");
    expect(hiddenOutcome(unsure, true)).not.toBe("allow");
    expect(hiddenOutcome(allow, true)).toBe("allow");
  });
});
