// /api/policies against real PostgreSQL in workerd: CRUD of policies and their rules with every seed field,
// rule admission (examples must match, unsafe or invalid regexes refused), scope references checked, the
// version bumped on every change, the role matrix, tenant isolation, audit, and POST /evaluate with role,
// connection and connection-type scoping, approval, allow-lists — and a change visible to the next evaluate.
import { describe, expect, it } from "vitest";
import {
  Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
  userWithRole,
  withTestDb,
} from "../support/api.ts";

type Err = {
  error: { code: string; message: string; details?: { fields?: { path: string }[]; example?: string } };
};
type Rule = { id: string; name: string; pattern: string; pattern_type: string; examples: string[] };
type Policy = Record<string, unknown> & { id: string; version: number; blocked_commands: Rule[] };
type Decision = {
  decision: "allow" | "block" | "require_approval";
  rule: { id: string; name: string; policy_id: string } | null;
  policy: { id: string } | null;
  severity: string | null;
  auto_disconnect: boolean;
  notify: boolean;
  reason: string;
};

const RM_ROOT = {
  name: "Recursive Delete Root",
  pattern: "^rm\\s+-rf\\s+/",
  pattern_type: "regex",
  severity: "critical",
  description: "wipes the server",
  examples: ["rm -rf /", "rm -rf /*"],
};

async function tenant(): Promise<{ t: ProvisionedTenant; admin: Client }> {
  const t = await provision(await superAdmin());
  return { t, admin: await tenantClient(t) };
}

async function createPolicy(c: Client, extra: Record<string, unknown> = {}): Promise<Policy> {
  const r = await c.post<Policy>("/api/policies", {
    name: unique("policy"),
    blocked_commands: [RM_ROOT],
    ...extra,
  });
  if (r.status !== 201) throw new Error(`policy create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function createConnection(c: Client, type = "ssh"): Promise<string> {
  const r = await c.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    type,
    hostname: "srv.example",
    username: "ops",
    auth_method: "password",
    password: "target-Password-1",
  });
  if (r.status !== 201) throw new Error(`connection create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

async function evaluate(c: Client, command: string, extra: Record<string, unknown> = {}): Promise<Decision> {
  const r = await c.post<Decision>("/api/policies/evaluate", { command, ...extra });
  if (r.status !== 200) throw new Error(`evaluate failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function roleId(name: string): Promise<string> {
  return withTestDb(async (pool) => {
    const r = await pool.query<{ id: string }>(
      `select id from "role" where name = $1 and organization_id is null`,
      [name],
    );
    return (r.rows[0] as { id: string }).id;
  });
}

describe("create and read", () => {
  it("stores every seed field with its rules, version 1, and reads it back", async () => {
    const { admin } = await tenant();
    const conn = await createConnection(admin);
    const tech = await roleId("Technician");
    const r = await admin.post<Policy>("/api/policies", {
      name: "Production guard",
      description: "no destruction in production",
      is_active: true,
      applies_to_roles: [tech, tech],
      applies_to_connections: [conn],
      allowed_commands: ["ls", "git status"],
      require_approval: true,
      auto_disconnect_on_violation: true,
      notify_on_violation: false,
      blocked_commands: [
        { ...RM_ROOT, applies_to_types: ["ssh", "telnet"] },
        { name: "Shutdown", pattern: "shutdown -h now", pattern_type: "exact" },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      name: "Production guard",
      description: "no destruction in production",
      is_active: true,
      applies_to_roles: [tech],
      applies_to_connections: [conn],
      allowed_commands: ["ls", "git status"],
      require_approval: true,
      auto_disconnect_on_violation: true,
      notify_on_violation: false,
      version: 1,
    });
    expect(r.body.blocked_commands).toEqual([
      expect.objectContaining({
        name: "Recursive Delete Root",
        pattern: "^rm\\s+-rf\\s+/",
        pattern_type: "regex",
        severity: "critical",
        description: "wipes the server",
        examples: ["rm -rf /", "rm -rf /*"],
        applies_to_types: ["ssh", "telnet"],
        policy_id: r.body.id,
      }),
      expect.objectContaining({
        name: "Shutdown",
        pattern_type: "exact",
        severity: "medium",
        examples: [],
        applies_to_types: [],
      }),
    ]);
    const got = await admin.get<Policy>(`/api/policies/${r.body.id}`);
    expect(got.body).toEqual(r.body);
    const list = await admin.get<{ data: Policy[]; pagination: { total: number } }>("/api/policies");
    expect(list.body.data.map((p) => p.id)).toEqual([r.body.id]);
    expect(list.body.pagination.total).toBe(1);
    const inactive = await admin.get<{ data: Policy[] }>("/api/policies?is_active=false");
    expect(inactive.body.data).toEqual([]);
    const page2 = await admin.get<{ data: Policy[]; pagination: unknown }>(
      "/api/policies?page=2&page_size=1",
    );
    expect(page2.body).toEqual({ data: [], pagination: { page: 2, page_size: 1, total: 1 } });
    expect((await admin.get("/api/policies?page_size=201")).status).toBe(400);
  });

  it("refuses bad input field by field, and leaves nothing half-written", async () => {
    const { t, admin } = await tenant();
    const other = await tenant();
    const foreignConn = await createConnection(other.admin);
    const foreignRole = await withTestDb(async (pool) => {
      const r = await pool.query<{ id: string }>(
        `insert into "role" (organization_id, name, permissions) values ($1, $2, '{}') returning id`,
        [other.t.id, unique("Custom")],
      );
      return (r.rows[0] as { id: string }).id;
    });
    const rule = (extra: Record<string, unknown>) => ({
      name: "p",
      blocked_commands: [{ ...RM_ROOT, ...extra }],
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ blocked_commands: [] }, "name"],
      [{ name: "" }, "name"],
      [{ name: "p", is_active: "yes" }, "is_active"],
      [{ name: "p", applies_to_roles: ["admin"] }, "applies_to_roles.0"],
      [{ name: "p", applies_to_roles: ["00000000-0000-4000-8000-000000000000"] }, "applies_to_roles.0"],
      [{ name: "p", applies_to_roles: [foreignRole] }, "applies_to_roles.0"],
      [{ name: "p", applies_to_connections: [foreignConn] }, "applies_to_connections.0"],
      [{ name: "p", allowed_commands: "ls" }, "allowed_commands"],
      [{ name: "p", allowed_commands: [""] }, "allowed_commands.0"],
      [{ name: "p", require_approval: 1 }, "require_approval"],
      [{ name: "p", severity: "high" }, ""],
      [rule({ pattern_type: "glob" }), "blocked_commands.0.pattern_type"],
      [rule({ severity: "urgent" }), "blocked_commands.0.severity"],
      [rule({ applies_to_types: ["ftp"] }), "blocked_commands.0.applies_to_types.0"],
      [rule({ pattern: "" }), "blocked_commands.0.pattern"],
      [rule({ pattern: "   " }), "blocked_commands.0.pattern"],
      [rule({ pattern: "x".repeat(1025) }), "blocked_commands.0.pattern"],
      [rule({ examples: "rm -rf /" }), "blocked_commands.0.examples"],
      [rule({ name: undefined }), "blocked_commands.0.name"],
      [rule({ id: "00000000-0000-4000-8000-000000000000" }), "blocked_commands.0"],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post<Err>("/api/policies", body);
      expect(r.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.details?.fields?.map((f) => f.path)).toContain(field);
    }
    const own = await withTestDb(async (pool) => {
      const r = await pool.query<{ id: string }>(
        `insert into "role" (organization_id, name, permissions) values ($1, $2, '{}') returning id`,
        [t.id, unique("Custom")],
      );
      return (r.rows[0] as { id: string }).id;
    });
    expect((await admin.post("/api/policies", { name: "own role", applies_to_roles: [own] })).status).toBe(
      201,
    );
    const count = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ n: number }>(
            "select count(*)::int as n from policy where organization_id = $1",
            [t.id],
          )
        ).rows[0]?.n,
    );
    expect(count).toBe(1);
  });
});

describe("rule admission", () => {
  it("refuses unsafe and invalid regexes and examples the rule does not match, with the field and the example", async () => {
    const { t, admin } = await tenant();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ pattern: "(a+)+$", examples: [] }, "UNSAFE_REGEX", "blocked_commands.1.pattern"],
      [{ pattern: "^(\\w+\\s?)*$", examples: [] }, "UNSAFE_REGEX", "blocked_commands.1.pattern"],
      [{ pattern: "^rm\\s+-rf\\s+/.*\\s*$", examples: [] }, "UNSAFE_REGEX", "blocked_commands.1.pattern"],
      [{ pattern: "(rm)\\s+\\1", examples: [] }, "UNSAFE_REGEX", "blocked_commands.1.pattern"],
      [{ pattern: "[unterminated", examples: [] }, "INVALID_REGEX", "blocked_commands.1.pattern"],
      // The seed's own fork-bomb pattern: its "(" opens a group that never closes.
      [
        { pattern: ":(\\)\\{\\s*:\\|:\\&\\s*\\};:", examples: [] },
        "INVALID_REGEX",
        "blocked_commands.1.pattern",
      ],
      [{ examples: ["rm -rf /", "ls -la /"] }, "EXAMPLE_NOT_MATCHED", "blocked_commands.1.examples.1"],
      [
        { pattern: "shutdown -h now", pattern_type: "exact", examples: ["shutdown -r now"] },
        "EXAMPLE_NOT_MATCHED",
        "blocked_commands.1.examples.0",
      ],
    ];
    for (const [extra, code, path] of cases) {
      const r = await admin.post<Err>("/api/policies", {
        name: "p",
        blocked_commands: [
          { name: "ok", pattern: "iptables -F", pattern_type: "contains" },
          { ...RM_ROOT, ...extra },
        ],
      });
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.body.error.code, JSON.stringify(extra)).toBe(code);
      expect(r.body.error.details?.fields?.map((f) => f.path)).toEqual([path]);
      expect(r.body.error.message.length).toBeGreaterThan(10);
      if (code === "EXAMPLE_NOT_MATCHED") expect(r.body.error.details?.example).toBeTruthy();
    }
    const none = await admin.get<{ pagination: { total: number } }>("/api/policies");
    expect(none.body.pagination.total).toBe(0);
    const n = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ n: number }>(
            "select count(*)::int as n from blocked_command where organization_id = $1",
            [t.id],
          )
        ).rows[0]?.n,
    );
    expect(n).toBe(0);
  });

  it("checks a changed rule as it will be: a new pattern against the old examples", async () => {
    const { admin } = await tenant();
    const p = await createPolicy(admin);
    const ruleId = p.blocked_commands[0]?.id as string;
    const r = await admin.patch<Err>(`/api/policies/${p.id}/rules/${ruleId}`, { pattern: "^dd\\s+if=" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("EXAMPLE_NOT_MATCHED");
    expect(r.body.error.details?.example).toBe("rm -rf /");
    const unsafe = await admin.post<Err>(`/api/policies/${p.id}/rules`, {
      ...RM_ROOT,
      pattern: "(x+x+)+y",
      examples: [],
    });
    expect(unsafe.body.error.code).toBe("UNSAFE_REGEX");
    expect(unsafe.body.error.details?.fields?.map((f) => f.path)).toEqual(["pattern"]);
    expect((await admin.get<Policy>(`/api/policies/${p.id}`)).body.version).toBe(1);
  });
});

describe("changes", () => {
  it("bumps the version on every change of the policy or its rules, and audits each", async () => {
    const { t, admin } = await tenant();
    const p = await createPolicy(admin);
    const patched = await admin.patch<Policy>(`/api/policies/${p.id}`, {
      description: "v2",
      require_approval: true,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: "v2", require_approval: true, version: 2 });

    const added = await admin.post<{ rule: Rule; policy: Policy }>(`/api/policies/${p.id}/rules`, {
      name: "Disk Overwrite",
      pattern: "^dd\\s+if=/dev/",
      pattern_type: "regex",
      severity: "critical",
      examples: ["dd if=/dev/zero of=/dev/sda"],
    });
    expect(added.status).toBe(201);
    expect(added.body.policy.version).toBe(3);
    expect(added.body.policy.blocked_commands.map((r) => r.name)).toEqual([
      "Recursive Delete Root",
      "Disk Overwrite",
    ]);

    const changed = await admin.patch<{ rule: Rule; policy: Policy }>(
      `/api/policies/${p.id}/rules/${added.body.rule.id}`,
      { severity: "high", examples: ["dd if=/dev/urandom of=/dev/sdb"] },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.rule).toMatchObject({
      severity: "high",
      examples: ["dd if=/dev/urandom of=/dev/sdb"],
    });
    expect(changed.body.policy.version).toBe(4);

    expect((await admin.delete(`/api/policies/${p.id}/rules/${added.body.rule.id}`)).status).toBe(204);
    const after = await admin.get<Policy>(`/api/policies/${p.id}`);
    expect(after.body.version).toBe(5);
    expect(after.body.blocked_commands.map((r) => r.name)).toEqual(["Recursive Delete Root"]);
    expect((await admin.delete(`/api/policies/${p.id}/rules/${added.body.rule.id}`)).status).toBe(404);

    // A rule is reached only through its own policy.
    const other = await createPolicy(admin);
    const foreignRule = other.blocked_commands[0]?.id as string;
    expect(
      (await admin.patch(`/api/policies/${p.id}/rules/${foreignRule}`, { severity: "low" })).status,
    ).toBe(404);
    expect((await admin.delete(`/api/policies/${p.id}/rules/${foreignRule}`)).status).toBe(404);
    expect((await admin.patch(`/api/policies/${p.id}`, {})).status).toBe(400);

    expect((await admin.delete(`/api/policies/${p.id}`)).status).toBe(204);
    expect((await admin.get(`/api/policies/${p.id}`)).status).toBe(404);
    const rules = await withTestDb(
      async (pool) => (await pool.query("select id from blocked_command where policy_id = $1", [p.id])).rows,
    );
    expect(rules).toEqual([]);

    const events = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ event_type: string; action: string }>(
            "select event_type, action from audit_log where organization_id = $1 and metadata->>'policy_id' = $2 order by created_at",
            [t.id, p.id],
          )
        ).rows,
    );
    expect(events.map((e) => `${e.event_type}:${e.action}`)).toEqual([
      "policy.created:create",
      "policy.updated:update",
      "policy.updated:rule_added",
      "policy.updated:rule_updated",
      "policy.updated:rule_deleted",
      "policy.deleted:delete",
    ]);
  });
});

describe("permissions and isolation", () => {
  it("any tenant user reads and evaluates; only MANAGE_POLICIES changes", async () => {
    const { t, admin } = await tenant();
    const p = await createPolicy(admin);
    const ruleId = p.blocked_commands[0]?.id as string;
    for (const role of ["Technician", "Observer"] as const) {
      const u = (await userWithRole(t, admin, role)).client;
      expect((await u.get("/api/policies")).status).toBe(200);
      expect((await u.get(`/api/policies/${p.id}`)).status).toBe(200);
      expect((await evaluate(u, "rm -rf /")).decision).toBe("block");
      for (const r of [
        await u.post<Err>("/api/policies", { name: "mine" }),
        await u.patch<Err>(`/api/policies/${p.id}`, { is_active: false }),
        await u.delete<Err>(`/api/policies/${p.id}`),
        await u.post<Err>(`/api/policies/${p.id}/rules`, RM_ROOT),
        await u.patch<Err>(`/api/policies/${p.id}/rules/${ruleId}`, { severity: "low" }),
        await u.delete<Err>(`/api/policies/${p.id}/rules/${ruleId}`),
      ]) {
        expect(r.status, role).toBe(403);
        expect(r.body.error.code).toBe("FORBIDDEN");
      }
      const asOther = await u.post<Err>("/api/policies/evaluate", {
        command: "ls",
        role_id: await roleId("Admin"),
      });
      expect(asOther.status).toBe(403);
    }
    expect((await admin.get<Policy>(`/api/policies/${p.id}`)).body.version).toBe(1);
    expect((await new Client(admin.host).get("/api/policies")).status).toBe(401);
  });

  it("another tenant's policies and rules are 404, never listed, and never evaluated", async () => {
    const { admin } = await tenant();
    const p = await createPolicy(admin);
    const ruleId = p.blocked_commands[0]?.id as string;
    const mine = await createConnection(admin);
    const other = await tenant();
    const them = other.admin;
    expect((await them.get(`/api/policies/${p.id}`)).status).toBe(404);
    expect((await them.patch(`/api/policies/${p.id}`, { is_active: false })).status).toBe(404);
    expect((await them.delete(`/api/policies/${p.id}`)).status).toBe(404);
    expect((await them.post(`/api/policies/${p.id}/rules`, RM_ROOT)).status).toBe(404);
    expect((await them.patch(`/api/policies/${p.id}/rules/${ruleId}`, { severity: "low" })).status).toBe(404);
    expect((await them.delete(`/api/policies/${p.id}/rules/${ruleId}`)).status).toBe(404);
    const list = await them.get<{ data: Policy[]; pagination: { total: number } }>("/api/policies");
    expect(list.body).toMatchObject({ data: [], pagination: { total: 0 } });
    expect((await evaluate(them, "rm -rf /")).decision).toBe("allow");
    expect((await them.post("/api/policies/evaluate", { command: "ls", connection_id: mine })).status).toBe(
      404,
    );
    expect((await admin.get<Policy>(`/api/policies/${p.id}`)).body.version).toBe(1);
    expect((await evaluate(admin, "rm -rf /")).decision).toBe("block");
  });
});

describe("POST /api/policies/evaluate", () => {
  it("scopes by role: the caller's own, or one a policy manager names", async () => {
    const { t, admin } = await tenant();
    const tech = await userWithRole(t, admin, "Technician");
    await createPolicy(admin, { applies_to_roles: [await roleId("Technician")] });
    expect((await evaluate(tech.client, "rm -rf /")).decision).toBe("block");
    expect((await evaluate(admin, "rm -rf /")).decision).toBe("allow");
    const asTech = await evaluate(admin, "rm -rf /", { role_id: await roleId("Technician") });
    expect(asTech).toMatchObject({
      decision: "block",
      severity: "critical",
      rule: { name: "Recursive Delete Root" },
    });
    const unknownRole = await admin.post<Err>("/api/policies/evaluate", {
      command: "ls",
      role_id: "00000000-0000-4000-8000-000000000000",
    });
    expect(unknownRole.status).toBe(400);
  });

  it("scopes by connection and by connection type; an unnamed connection fails closed", async () => {
    const { admin } = await tenant();
    const c1 = await createConnection(admin, "ssh");
    const c2 = await createConnection(admin, "ssh");
    const rdp = await createConnection(admin, "rdp");
    await createPolicy(admin, { applies_to_connections: [c1] });
    await createPolicy(admin, {
      blocked_commands: [
        {
          name: "Format",
          pattern: "^format\\s",
          pattern_type: "regex",
          severity: "high",
          applies_to_types: ["rdp"],
        },
      ],
    });
    expect((await evaluate(admin, "rm -rf /", { connection_id: c1 })).decision).toBe("block");
    expect((await evaluate(admin, "rm -rf /", { connection_id: c2 })).decision).toBe("allow");
    expect((await evaluate(admin, "rm -rf /")).decision).toBe("block");
    expect((await evaluate(admin, "format c:", { connection_id: rdp })).decision).toBe("block");
    expect((await evaluate(admin, "format c:", { connection_id: c2 })).decision).toBe("allow");
    expect((await evaluate(admin, "format c:", { connection_type: "rdp" })).decision).toBe("block");
    expect((await evaluate(admin, "format c:", { connection_type: "vnc" })).decision).toBe("allow");
    const both = await admin.post<Err>("/api/policies/evaluate", {
      command: "ls",
      connection_id: c1,
      connection_type: "ssh",
    });
    expect(both.status).toBe(400);
    const gone = await admin.post<Err>("/api/policies/evaluate", {
      command: "ls",
      connection_id: "00000000-0000-4000-8000-000000000000",
    });
    expect(gone.status).toBe(404);
    await admin.delete(`/api/connections/${c2}`);
    expect((await admin.post("/api/policies/evaluate", { command: "ls", connection_id: c2 })).status).toBe(
      404,
    );
  });

  it("answers require_approval, allow-list misses, and the violation flags", async () => {
    const { admin } = await tenant();
    await createPolicy(admin, { require_approval: true, notify_on_violation: true });
    expect(await evaluate(admin, "rm -rf /")).toMatchObject({ decision: "require_approval", notify: true });
    await createPolicy(admin, {
      allowed_commands: ["ls", "cat", "git status"],
      auto_disconnect_on_violation: true,
      blocked_commands: [],
    });
    expect((await evaluate(admin, "ls -la")).decision).toBe("allow");
    expect((await evaluate(admin, "git status -s")).decision).toBe("allow");
    const miss = await evaluate(admin, "curl http://example.com");
    expect(miss).toMatchObject({ decision: "block", rule: null, auto_disconnect: true });
    expect(miss.reason).toContain("not in the allowed commands");
  });

  it("validates the request: a command is required and at most 8 KiB", async () => {
    const { admin } = await tenant();
    for (const body of [
      {},
      { command: "" },
      { command: 5 },
      { command: "x".repeat(8193) },
      { command: "ls", extra: 1 },
    ]) {
      const r = await admin.post<Err>("/api/policies/evaluate", body);
      expect(r.status, JSON.stringify(body).slice(0, 50)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
    }
    // 8 KiB is counted in bytes: 2,731 three-byte characters are over.
    expect((await admin.post("/api/policies/evaluate", { command: "€".repeat(2731) })).status).toBe(400);
    expect((await admin.post("/api/policies/evaluate", { command: `echo ${"x".repeat(8187)}` })).status).toBe(
      200,
    );
  });

  it("sees every change at the very next evaluate", async () => {
    const { admin } = await tenant();
    expect((await evaluate(admin, "shutdown -h now")).decision).toBe("allow");
    const p = await createPolicy(admin);
    expect((await evaluate(admin, "shutdown -h now")).decision).toBe("allow");
    const added = await admin.post<{ rule: Rule }>(`/api/policies/${p.id}/rules`, {
      name: "Shutdown",
      pattern: "shutdown -h now",
      pattern_type: "exact",
      severity: "high",
    });
    expect(await evaluate(admin, "shutdown -h now")).toMatchObject({ decision: "block", severity: "high" });
    await admin.patch(`/api/policies/${p.id}/rules/${added.body.rule.id}`, { severity: "low" });
    expect((await evaluate(admin, "shutdown -h now")).severity).toBe("low");
    await admin.patch(`/api/policies/${p.id}/rules/${added.body.rule.id}`, { pattern: "reboot" });
    expect((await evaluate(admin, "shutdown -h now")).decision).toBe("allow");
    expect((await evaluate(admin, "reboot")).decision).toBe("block");
    await admin.patch(`/api/policies/${p.id}`, { is_active: false });
    expect((await evaluate(admin, "reboot")).decision).toBe("allow");
    await admin.patch(`/api/policies/${p.id}`, { is_active: true });
    expect((await evaluate(admin, "reboot")).decision).toBe("block");
    await admin.delete(`/api/policies/${p.id}/rules/${added.body.rule.id}`);
    expect((await evaluate(admin, "reboot")).decision).toBe("allow");
    expect((await evaluate(admin, "rm -rf /")).decision).toBe("block");
    await admin.delete(`/api/policies/${p.id}`);
    expect((await evaluate(admin, "rm -rf /")).decision).toBe("allow");
  });
});
