// The evaluate decision as the API shows it: every decision the engine makes (a rule's block, an allow,
// an allow-list miss, a line it cannot judge) fits the documented PolicyDecision, in snake_case.
import { describe, expect, it } from "vitest";
import { compilePolicies, evaluateCommand, type PolicyInput } from "../policy/index.ts";
import { presentDecision } from "./present.ts";
import { Decision } from "./schemas.ts";

const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";
const R1 = "33333333-3333-4333-8333-333333333333";

function policy(id: string, extra: Partial<PolicyInput>): PolicyInput {
  return {
    id,
    name: `Policy ${id.slice(0, 2)}`,
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: [],
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: true,
    notifyOnViolation: false,
    ...extra,
  };
}

const compiled = compilePolicies([
  policy(P1, {
    blockedCommands: [
      {
        id: R1,
        policyId: P1,
        name: "Recursive Delete Root",
        pattern: "^rm\\s+-rf\\s+/",
        patternType: "regex",
        severity: "critical",
        appliesToTypes: [],
      },
    ],
  }),
  policy(P2, { allowedCommands: ["ls", "rm", "python3"], uncheckableAction: "require_approval" }),
]);

describe("presentDecision", () => {
  it("shows a rule's block in snake_case", () => {
    const d = presentDecision(evaluateCommand(compiled, "cd /tmp; rm -rf /"));
    expect(Decision.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      decision: "block",
      rule: {
        id: R1,
        name: "Recursive Delete Root",
        policy_id: P1,
        policy_name: "Policy 11",
        severity: "critical",
        pattern_type: "regex",
      },
      policy: { id: P1 },
      command_type: "file",
      risk_level: "critical",
      auto_disconnect: true,
      matched_command: "rm -rf /",
    });
  });

  it("fits the contract for every kind of decision", () => {
    for (const line of ["ls -la", "curl http://example.com", `python3 -c 'import os; os.system(x)'`]) {
      const d = presentDecision(evaluateCommand(compiled, line));
      expect(Decision.safeParse(d).success, line).toBe(true);
    }
    expect(presentDecision(evaluateCommand(compiled, "curl http://example.com"))).toMatchObject({
      decision: "block",
      rule: null,
      policy: { id: P2 },
    });
  });
});
