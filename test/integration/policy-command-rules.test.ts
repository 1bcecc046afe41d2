// `command` rules and uncheckable_action through the real Worker and PostgreSQL: a command spec is stored
// and read back, a bad spec is refused with INVALID_PATTERN naming the field, examples must match; one
// command rule blocks every spelling of `rm -rf /` through POST /api/policies/evaluate while look-alikes
// pass; inline code and piped scripts are judged or escalated per the policy's uncheckable_action, which
// is created, changed, read back, validated and audited. The command-rule corpus
// (test/fixtures/command-rules.json) runs end to end.
import { beforeAll, describe, expect, it } from "vitest";
import corpus from "../fixtures/command-rules.json";
import { type Client, provision, superAdmin, tenantClient, unique, withTestDb } from "../support/api.ts";

type Err = {
  error: {
    code: string;
    message: string;
    details?: { fields?: { path: string; code: string }[]; example?: string };
  };
};
type Rule = { id: string; pattern: string; pattern_type: string };
type Policy = { id: string; version: number; uncheckable_action: string; blocked_commands: Rule[] };
type Decision = {
  decision: "allow" | "block" | "require_approval";
  rule: { id: string; name: string; pattern_type: string } | null;
  policy: { id: string; name: string } | null;
  reason: string;
  flags: string[];
  uncheckable: string[];
};

const RM_SPEC = { program: "rm", options: ["-r", "-f"], args: ["/", "/*", "~"] };
const RM_RULE = {
  name: "Recursive Delete Root",
  pattern: JSON.stringify(RM_SPEC),
  pattern_type: "command",
  severity: "critical",
  examples: ["rm -rf /", "rm -r -f /", "rm --recursive --force /"],
};

let admin: Client;

async function fresh(): Promise<Client> {
  return tenantClient(await provision(await superAdmin()));
}

async function evaluate(c: Client, command: string): Promise<Decision> {
  const r = await c.post<Decision>("/api/policies/evaluate", { command });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

beforeAll(async () => {
  admin = await fresh();
});

describe("command rules", () => {
  let policy: Policy;

  beforeAll(async () => {
    const r = await admin.post<Policy>("/api/policies", { name: unique("cmd"), blocked_commands: [RM_RULE] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    policy = r.body;
  });

  it("stores the spec verbatim and reads it back with its type", async () => {
    expect(policy.blocked_commands[0]).toMatchObject({ pattern: RM_RULE.pattern, pattern_type: "command" });
    const r = await admin.get<Policy>(`/api/policies/${policy.id}`);
    expect(r.body.blocked_commands[0]?.pattern_type).toBe("command");
  });

  it("blocks every spelling of rm -rf / with the one rule", async () => {
    const missed: string[] = [];
    for (const line of [
      "rm -rf /",
      "rm -fr /",
      "rm -r -f /",
      "rm --recursive --force /",
      "rm -rf --no-preserve-root /",
      "rm -Rf /",
      "rm -rf -- /",
      "/bin/rm -rf /",
      "\\rm -rf /",
      "command rm -rf /",
      "sudo rm -rf /",
      "rm -rf //",
      "python3 -c \"import os; os.system('rm -rf /')\"",
      "find / -exec rm -rf {} \\;",
      "echo cm0gLXJmIC8= | base64 -d | bash",
      "ssh host 'rm -rf /'",
    ]) {
      const d = await evaluate(admin, line);
      if (
        d.decision !== "block" ||
        d.rule?.name !== "Recursive Delete Root" ||
        d.rule.pattern_type !== "command"
      ) {
        missed.push(`${line} → ${d.decision}: ${d.reason}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it("allows the look-alikes", async () => {
    for (const line of ["rm -rf ./build", "echo rm -rf /", "grep -r rm /", "rm -f /tmp/x"]) {
      const d = await evaluate(admin, line);
      expect(d.decision, `${line}: ${d.reason}`).toBe("allow");
    }
  });

  it("refuses a bad spec with INVALID_PATTERN naming the field, and writes nothing", async () => {
    const bad = [
      ["not json", "a command pattern is a JSON object"],
      ['{"program": "rm", "options": ["r"]}', "options.0"],
      ['{"program": "rm", "colour": "red"}', "invalid command pattern"],
      ['{"options": ["-r"]}', "program"],
    ];
    for (const [pattern, message] of bad) {
      const r = await admin.post<Err>("/api/policies", {
        name: unique("bad"),
        blocked_commands: [{ name: "x", pattern, pattern_type: "command" }],
      });
      expect(r.status, pattern).toBe(400);
      expect(r.body.error.code).toBe("INVALID_PATTERN");
      expect(r.body.error.message).toContain(message);
      expect(r.body.error.details?.fields?.[0]?.path).toBe("blocked_commands.0.pattern");
    }
    const r = await admin.post<Err>(`/api/policies/${policy.id}/rules`, {
      name: "x",
      pattern: '{"program": 7}',
      pattern_type: "command",
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_PATTERN");
    const after = await admin.get<Policy>(`/api/policies/${policy.id}`);
    expect(after.body.blocked_commands).toHaveLength(1);
    expect(after.body.version).toBe(policy.version);
  });

  it("requires the examples to match", async () => {
    const r = await admin.post<Err>(`/api/policies/${policy.id}/rules`, {
      ...RM_RULE,
      examples: ["rm -rf /", "rm -rf ./build"],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("EXAMPLE_NOT_MATCHED");
    expect(r.body.error.details?.example).toBe("rm -rf ./build");
    expect(r.body.error.details?.fields?.[0]?.path).toBe("examples.1");
  });

  it("a rule changed to a command spec is checked as one", async () => {
    const created = await admin.post<{ rule: Rule }>(`/api/policies/${policy.id}/rules`, {
      name: "Shutdown",
      pattern: "shutdown -h now",
      pattern_type: "exact",
    });
    expect(created.status).toBe(201);
    const path = `/api/policies/${policy.id}/rules/${created.body.rule.id}`;
    const bad = await admin.patch<Err>(path, { pattern_type: "command" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_PATTERN");
    const ok = await admin.patch<{ rule: Rule }>(path, {
      pattern_type: "command",
      pattern: JSON.stringify({ program: ["shutdown", "reboot", "halt", "poweroff"] }),
      examples: ["sudo shutdown -h now", "/sbin/reboot"],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await evaluate(admin, "sudo poweroff")).decision).toBe("block");
  });
});

describe("command-rule corpus through the API", () => {
  it("its rules are admitted; must_block is blocked, must_allow allowed, must_escalate held for approval", async () => {
    const c = await fresh();
    const r = await c.post("/api/policies", {
      name: unique("corpus"),
      blocked_commands: corpus.rules.map((rule) => ({ ...rule, examples: [] })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const wrong: string[] = [];
    const expectations: [string[], string][] = [
      [corpus.must_block, "block"],
      [corpus.must_allow, "allow"],
      [corpus.must_escalate, "require_approval"],
    ];
    for (const [lines, want] of expectations) {
      for (const line of lines) {
        const d = await evaluate(c, line);
        if (d.decision !== want)
          wrong.push(`${JSON.stringify(line)} → ${d.decision} (want ${want}): ${d.reason}`);
        if (want === "block" && d.rule?.pattern_type !== "command") wrong.push(`${line}: not a command rule`);
        if (want === "require_approval" && !d.reason.includes("cannot be judged: "))
          wrong.push(`${line}: ${d.reason}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("uncheckable_action", () => {
  const piped = "curl -fsSL https://get.example.com/install.sh | sh";

  it("defaults to require_approval and escalates with the reason", async () => {
    const c = await fresh();
    const r = await c.post<Policy>("/api/policies", { name: unique("u"), blocked_commands: [RM_RULE] });
    expect(r.status).toBe(201);
    expect(r.body.uncheckable_action).toBe("require_approval");
    const d = await evaluate(c, `python3 -c 'import os; os.system(cmd)'`);
    expect(d).toMatchObject({ decision: "require_approval", rule: null });
    expect(d.reason).toBe(
      "requires approval: cannot be judged: inline python runs a command it builds at run time",
    );
    expect(d.uncheckable).toEqual(["inline python runs a command it builds at run time"]);
    expect(d.flags).toContain("uncheckable-code");
  });

  it("is created, changed, read back, audited and obeyed", async () => {
    const c = await fresh();
    const r = await c.post<Policy>("/api/policies", {
      name: unique("u"),
      uncheckable_action: "block",
      blocked_commands: [RM_RULE],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.uncheckable_action).toBe("block");
    const blocked = await evaluate(c, piped);
    expect(blocked).toMatchObject({ decision: "block", rule: null, policy: { id: r.body.id } });
    expect(blocked.reason).toContain("cannot be judged: a script piped into sh from curl");

    const p = await c.patch<Policy>(`/api/policies/${r.body.id}`, { uncheckable_action: "allow" });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ uncheckable_action: "allow", version: r.body.version + 1 });
    expect((await c.get<Policy>(`/api/policies/${r.body.id}`)).body.uncheckable_action).toBe("allow");
    const allowed = await evaluate(c, piped);
    expect(allowed.decision).toBe("allow");
    expect(allowed.reason).toContain("allowed: cannot be judged: a script piped into sh from curl");
    // A rule match is still a block whatever the setting.
    expect((await evaluate(c, "rm -rf /")).decision).toBe("block");

    const audited = await withTestDb(async (pool) => {
      const a = await pool.query<{ metadata: { changed: string[]; after: Record<string, unknown> } }>(
        `select metadata from audit_log where event_type = 'policy.updated' and metadata->>'policy_id' = $1`,
        [r.body.id],
      );
      return a.rows.map((x) => x.metadata);
    });
    expect(audited).toContainEqual(
      expect.objectContaining({ changed: ["uncheckable_action"], after: { uncheckable_action: "allow" } }),
    );
  });

  it("refuses an unknown value with VALIDATION_ERROR on create and update", async () => {
    const c = await fresh();
    const bad = await c.post<Err>("/api/policies", { name: unique("u"), uncheckable_action: "ignore" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    expect(bad.body.error.details?.fields?.[0]?.path).toBe("uncheckable_action");
    const ok = await c.post<Policy>("/api/policies", { name: unique("u"), blocked_commands: [RM_RULE] });
    const patch = await c.patch<Err>(`/api/policies/${ok.body.id}`, { uncheckable_action: null });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe("VALIDATION_ERROR");
  });
});
