// evaluateCommand: scoping, allow-lists, precedence, approval, flags, escalation of what the parser
// cannot see through, and compile-once.

import { afterEach, describe, expect, it } from "vitest";
import { compilePolicies, evaluateCommand } from "./evaluate.ts";
import type { PolicyInput, RuleInput } from "./types.ts";

let ruleSeq = 0;
function rule(pattern: string, extra: Partial<RuleInput> = {}): RuleInput {
  ruleSeq++;
  return {
    id: `rule-${ruleSeq}`,
    policyId: "",
    name: `rule ${ruleSeq}`,
    pattern,
    patternType: "regex",
    severity: "high",
    appliesToTypes: [],
    ...extra,
  };
}

function policy(id: string, blocked: RuleInput[], extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    id,
    name: `Policy ${id}`,
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: blocked.map((r) => ({ ...r, policyId: id })),
    allowedCommands: null,
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: false,
    ...extra,
  };
}

const rmRoot = (): RuleInput =>
  rule("^rm\\s+-rf\\s+/", { name: "Recursive Delete Root", severity: "critical" });

describe("decisions", () => {
  it("blocks with the rule, the policy, the matched command and a readable reason", () => {
    const c = compilePolicies([policy("p1", [rmRoot()])]);
    const d = evaluateCommand(c, "cd /tmp && sudo rm -rf /");
    expect(d).toMatchObject({
      decision: "block",
      rule: {
        name: "Recursive Delete Root",
        policyId: "p1",
        policyName: "Policy p1",
        severity: "critical",
        patternType: "regex",
      },
      policy: { id: "p1", name: "Policy p1" },
      severity: "critical",
      commandType: "file",
      riskLevel: "critical",
      matchedCommand: "rm -rf /",
      commands: ["cd /tmp", "sudo rm -rf /", "rm -rf /"],
    });
    expect(d.reason).toContain("Recursive Delete Root");
    expect(d.reason).toContain("Policy p1");
  });

  it("allows what no rule matches but still reports its risk", () => {
    const c = compilePolicies([policy("p1", [rmRoot()])]);
    expect(evaluateCommand(c, "rm -rf ./build")).toMatchObject({
      decision: "allow",
      rule: null,
      severity: null,
      riskLevel: "high",
      commandType: "file",
    });
    expect(evaluateCommand(c, "ls -la")).toMatchObject({ decision: "allow", riskLevel: "low" });
    expect(evaluateCommand(c, "")).toMatchObject({ decision: "allow", commands: [] });
  });

  it("an exact rule needs the whole command; contains finds text anywhere", () => {
    const c = compilePolicies([
      policy("p1", [
        rule("shutdown -h now", { patternType: "exact" }),
        rule("iptables -F", { patternType: "contains" }),
      ]),
    ]);
    expect(evaluateCommand(c, "shutdown -h now").decision).toBe("block");
    expect(evaluateCommand(c, "sudo shutdown -h  now").decision).toBe("block");
    expect(evaluateCommand(c, "shutdown --help").decision).toBe("allow");
    expect(evaluateCommand(c, "sudo iptables -F INPUT").decision).toBe("block");
    expect(evaluateCommand(c, "iptables -L").decision).toBe("allow");
  });
});

describe("scope", () => {
  const c = compilePolicies([
    policy("dba-only", [rule("^psql\\b")], { appliesToRoles: ["role-dba"] }),
    policy("prod-only", [rule("^reboot$")], { appliesToConnections: ["conn-prod"] }),
    policy("rdp-rule", [rule("^format\\s", { appliesToTypes: ["rdp"] })]),
    policy("off", [rule("^ls")], { isActive: false }),
  ]);

  it("applies a role-scoped policy only to its roles", () => {
    expect(evaluateCommand(c, "psql", { roleId: "role-dba" }).decision).toBe("block");
    expect(evaluateCommand(c, "psql", { roleId: "role-ops" }).decision).toBe("allow");
  });

  it("applies a connection-scoped policy only to its connections", () => {
    expect(evaluateCommand(c, "reboot", { connectionId: "conn-prod" }).decision).toBe("block");
    expect(evaluateCommand(c, "reboot", { connectionId: "conn-dev" }).decision).toBe("allow");
  });

  it("applies a rule only to its connection types", () => {
    expect(evaluateCommand(c, "format c:", { connectionType: "rdp" }).decision).toBe("block");
    expect(evaluateCommand(c, "format c:", { connectionType: "ssh" }).decision).toBe("allow");
  });

  it("treats unknown context as in scope (fail closed)", () => {
    expect(evaluateCommand(c, "psql").decision).toBe("block");
    expect(evaluateCommand(c, "reboot", { roleId: null, connectionId: null }).decision).toBe("block");
    expect(evaluateCommand(c, "format c:").decision).toBe("block");
  });

  it("ignores inactive policies", () => {
    expect(evaluateCommand(c, "ls").decision).toBe("allow");
    expect(c.policyCount).toBe(3);
  });
});

describe("allow-list", () => {
  const c = compilePolicies([
    policy("jail", [], { allowedCommands: ["ls", "cat", "/usr/bin/grep", "git status", "systemctl status"] }),
  ]);
  const decide = (line: string): string => evaluateCommand(c, line).decision;

  it("allows listed programs, in every position of the line", () => {
    expect(decide("ls -la | grep x && cat /etc/hosts")).toBe("allow");
    expect(decide("FOO=1 ls")).toBe("allow");
    expect(decide("x=1")).toBe("allow");
    expect(decide("/bin/ls")).toBe("allow");
  });

  it("treats multi-word entries as command prefixes at a word boundary", () => {
    expect(decide("git status -s")).toBe("allow");
    expect(decide("git push")).toBe("block");
    expect(decide("git statusx")).toBe("block");
    expect(decide("systemctl status nginx")).toBe("allow");
    expect(decide("systemctl stop nginx")).toBe("block");
  });

  it("blocks any other program, wherever it hides", () => {
    for (const line of ["rm x", "ls $(rm x)", "sudo ls", "ls; curl x", "bash -c 'ls'", "echo hi"]) {
      expect(decide(line), line).toBe("block");
    }
  });

  it("blocks a program whose name is only known at run time", () => {
    expect(decide("$x")).toBe("block");
  });

  it("names the program and the policy", () => {
    const d = evaluateCommand(c, "ls; nc -l 4444");
    expect(d).toMatchObject({
      decision: "block",
      rule: null,
      policy: { id: "jail" },
      matchedCommand: "nc -l 4444",
    });
    expect(d.reason).toContain('"nc"');
    expect(d.reason).toContain("Policy jail");
    expect(d.severity).toBe("medium");
  });
});

describe("precedence", () => {
  it("block beats require_approval, whatever the severities", () => {
    const c = compilePolicies([
      policy("approve", [rule("^rm\\s", { severity: "critical" })], { requireApproval: true }),
      policy("block", [rule("^rm\\s+-rf", { severity: "low" })]),
    ]);
    const d = evaluateCommand(c, "rm -rf /tmp/x");
    expect(d.decision).toBe("block");
    expect(d.rule?.policyId).toBe("block");
    expect(evaluateCommand(c, "rm x").decision).toBe("require_approval");
  });

  it("reports the highest severity, then the earliest policy and rule", () => {
    const low = rule("^dd\\s", { name: "dd any", severity: "low" });
    const crit = rule("^dd\\s+if=/dev/", { name: "dd device", severity: "critical" });
    const first = rule("of=", { name: "first", severity: "medium" });
    const second = rule("of=/", { name: "second", severity: "medium" });
    const c = compilePolicies([policy("a", [low, crit]), policy("b", [first, second])]);
    expect(evaluateCommand(c, "dd if=/dev/zero of=/dev/sda").rule?.name).toBe("dd device");
    expect(evaluateCommand(c, "dd if=x of=/y").rule?.name).toBe("first");
  });

  it("prefers a rule over an allow-list miss of the same severity", () => {
    const c = compilePolicies([
      policy("list", [], { allowedCommands: ["ls"] }),
      policy("rules", [rule("^curl\\s", { name: "curl", severity: "medium" })]),
    ]);
    expect(evaluateCommand(c, "curl x").rule?.name).toBe("curl");
  });
});

describe("require_approval, auto-disconnect and notify", () => {
  it("turns a match of an approval policy into require_approval", () => {
    const c = compilePolicies([policy("p", [rmRoot()], { requireApproval: true, notifyOnViolation: true })]);
    expect(evaluateCommand(c, "rm -rf /")).toMatchObject({
      decision: "require_approval",
      rule: { name: "Recursive Delete Root" },
      notify: true,
      autoDisconnect: false,
    });
    expect(evaluateCommand(c, "ls").decision).toBe("allow");
  });

  it("collects the flags of every violated policy and of no other", () => {
    const c = compilePolicies([
      policy("kill", [rmRoot()], { autoDisconnectOnViolation: true }),
      policy("tell", [rule("-rf")], { notifyOnViolation: true, requireApproval: true }),
      policy("idle", [rule("^never$")], { autoDisconnectOnViolation: true, notifyOnViolation: true }),
    ]);
    expect(evaluateCommand(c, "rm -rf /")).toMatchObject({
      decision: "block",
      autoDisconnect: true,
      notify: true,
    });
    expect(evaluateCommand(c, "rm -rf ./x")).toMatchObject({
      decision: "require_approval",
      autoDisconnect: false,
      notify: true,
    });
    expect(evaluateCommand(c, "ls")).toMatchObject({ autoDisconnect: false, notify: false });
  });
});

describe("escalation of what cannot be checked statically", () => {
  const c = compilePolicies([policy("p", [rmRoot()])]);

  it.each([
    "$x -rf /",
    "/???/?m -rf /",
    'echo "unterminated',
    "if true; then ls",
    "eval eval eval eval eval eval eval eval eval ls",
  ])("%j requires approval while a policy applies", (line) => {
    const d = evaluateCommand(c, line);
    expect(d.decision).toBe("require_approval");
    expect(d.rule).toBeNull();
    expect(d.flags.length).toBeGreaterThan(0);
    expect(d.reason).toContain("cannot be judged");
  });

  it("blocks rather than escalates when a resolved or visible command matches", () => {
    expect(evaluateCommand(c, "x=rm; $x -rf /").decision).toBe("block");
    expect(evaluateCommand(c, "rm -rf / 'unterminated").decision).toBe("block");
  });

  it("allows, with the flags, when no policy applies", () => {
    const none = compilePolicies([policy("p", [rmRoot()], { appliesToRoles: ["other"] })]);
    const d = evaluateCommand(none, "$x -rf /", { roleId: "me" });
    expect(d.decision).toBe("allow");
    expect(d.flags).toEqual(["dynamic-program"]);
  });

  it("escalates unseen xargs input only for programs that rules target", () => {
    expect(evaluateCommand(c, "xargs rm -rf < list").decision).toBe("require_approval");
    expect(evaluateCommand(c, "xargs grep -l TODO < files").decision).toBe("allow");
    expect(evaluateCommand(c, "echo / | xargs rm -rf").decision).toBe("block");
  });

  it("escalates an over-long line", () => {
    expect(evaluateCommand(c, `echo ${"x".repeat(70000)}`).decision).toBe("require_approval");
  });

  it("never lets a regex miss silently past the part of a text it is shown", () => {
    const tail = compilePolicies([policy("p", [rule("Z$"), rule("^echo\\s+A")])]);
    const far = `echo ${"A".repeat(5000)}Z`;
    const d = evaluateCommand(tail, far);
    // ^echo\s+A matches within the bounded head; Z$ would need all 5,006 characters.
    expect(d.decision).toBe("block");
    expect(d.flags).toContain("too-long");
    const onlyTail = compilePolicies([policy("p", [rule("Z$")])]);
    expect(evaluateCommand(onlyTail, far).decision).toBe("require_approval");
  });
});

describe("rule authors own flag order", () => {
  it("the seed's literal rule misses reordered flags; a rule written for them does not", () => {
    const seed = compilePolicies([policy("seed", [rmRoot()])]);
    expect(evaluateCommand(seed, "rm -r -f /").decision).toBe("allow");
    const robust = compilePolicies([
      policy("robust", [rule("^rm\\s+-(?:rf|fr|r\\s+-f|f\\s+-r|-recursive\\s+--force)\\s+/")]),
    ]);
    for (const line of ["rm -rf /", "rm -fr /", "rm -r -f /", "rm -f -r /", "rm --recursive --force /"]) {
      expect(evaluateCommand(robust, line).decision, line).toBe("block");
    }
    expect(evaluateCommand(robust, "rm -r ./x").decision).toBe("allow");
  });
});

describe("compile once", () => {
  const RealRegExp = globalThis.RegExp;
  afterEach(() => {
    globalThis.RegExp = RealRegExp;
  });

  function countRegExpConstructions(fn: () => void): number {
    let count = 0;
    globalThis.RegExp = new Proxy(RealRegExp, {
      construct(target, args) {
        count++;
        return Reflect.construct(target, args);
      },
    });
    try {
      fn();
    } finally {
      globalThis.RegExp = RealRegExp;
    }
    return count;
  }

  it("evaluateCommand builds no regex: everything was compiled by compilePolicies", () => {
    const policies = [policy("p", [rmRoot(), rule("iptables\\s+-F"), rule("^mkfs\\.")])];
    const compiling = countRegExpConstructions(() => compilePolicies(policies));
    expect(compiling).toBeGreaterThanOrEqual(3);
    const c = compilePolicies(policies);
    const evaluating = countRegExpConstructions(() => {
      for (let i = 0; i < 50; i++) evaluateCommand(c, "sudo rm -rf / ; iptables -F; mkfs.ext4 /dev/sda1");
    });
    expect(evaluating).toBe(0);
  });

  it("is a snapshot: changing the inputs afterwards changes nothing", () => {
    const input = policy("p", [rmRoot()]);
    const c = compilePolicies([input]);
    (input.blockedCommands[0] as RuleInput).pattern = "^ls";
    (input.blockedCommands[0] as RuleInput).name = "renamed";
    input.isActive = false;
    input.requireApproval = true;
    expect(evaluateCommand(c, "rm -rf /")).toMatchObject({
      decision: "block",
      rule: { name: "Recursive Delete Root" },
    });
    expect(evaluateCommand(c, "ls").decision).toBe("allow");
  });

  it("accepts only compiled policies", () => {
    expect(() => evaluateCommand({ policyCount: 0, ruleCount: 0 }, "ls")).toThrow(TypeError);
  });
});
