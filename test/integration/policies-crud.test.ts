// /api/policies against real PostgreSQL in workerd: create and read policies and their rules with every seed
// field, and rule admission (examples must match, unsafe or invalid regexes refused, scope references checked).
import { describe, expect, it } from "vitest";
import { unique, withTestDb } from "../support/api.ts";
import {
  createConnection,
  createPolicy,
  type Err,
  type Policy,
  RM_ROOT,
  roleId,
  tenant,
} from "./policies-fixtures.ts";

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
