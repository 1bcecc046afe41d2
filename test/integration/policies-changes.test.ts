// /api/policies against real PostgreSQL in workerd: changes (the version bumped on every change, audit), the
// role matrix and tenant isolation.
import { describe, expect, it } from "vitest";
import { Client, userWithRole, withTestDb } from "../support/api.ts";
import {
  createConnection,
  createPolicy,
  type Err,
  evaluate,
  type Policy,
  RM_ROOT,
  type Rule,
  roleId,
  tenant,
} from "./policies-fixtures.ts";

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
