// POST /api/policies/evaluate against real PostgreSQL in workerd: role, connection and connection-type scoping,
// approval, allow-lists — and a change to a policy visible to the next evaluate.
import { describe, expect, it } from "vitest";
import { userWithRole } from "../support/api.ts";
import {
  createConnection,
  createPolicy,
  type Err,
  evaluate,
  type Rule,
  roleId,
  tenant,
} from "./policies-fixtures.ts";

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
