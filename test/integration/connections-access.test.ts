// /api/connections against real PostgreSQL in workerd: tenant isolation, the role matrix (Technician deletes
// only their own), POST /:id/test, and the audit trail.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  userWithRole,
  withTestDb,
} from "../support/api.ts";
import {
  adminTenant,
  auditTypes,
  base,
  type Conn,
  create,
  type Err,
  type List,
  PASSWORD,
} from "./connections-fixtures.ts";

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  ({ t, admin } = await adminTenant());
});

describe("another tenant's connections", () => {
  it("are 404 for get, update, delete and test, and never listed or counted", async () => {
    const mine = await create(admin);
    const other = await provision(await superAdmin());
    const them = await tenantClient(other);
    expect((await them.get(`/api/connections/${mine.id}`)).status).toBe(404);
    expect((await them.patch(`/api/connections/${mine.id}`, { name: "stolen" })).status).toBe(404);
    expect((await them.delete(`/api/connections/${mine.id}`)).status).toBe(404);
    expect((await them.post(`/api/connections/${mine.id}/test`)).status).toBe(404);
    const list = await them.get<List>("/api/connections");
    expect(list.body.data).toEqual([]);
    expect(list.body.pagination.total).toBe(0);
    expect(
      (await them.get(`/api/connections?search=${encodeURIComponent(mine.name as string)}`)).body,
    ).toMatchObject({
      pagination: { total: 0 },
    });
    expect((await admin.get<Conn>(`/api/connections/${mine.id}`)).body.name).toBe(mine.name);
    expect((await admin.get("/api/connections/not-a-uuid")).status).toBe(404);
  });
});

describe("the role matrix", () => {
  it("Observer reads only; Technician creates and edits, deletes only their own; Admin deletes any", async () => {
    const observer = await userWithRole(t, admin, "Observer");
    const tech = await userWithRole(t, admin, "Technician");
    const tech2 = await userWithRole(t, admin, "Technician");
    const adminConn = await create(admin);

    expect((await observer.client.get("/api/connections")).status).toBe(200);
    expect((await observer.client.get(`/api/connections/${adminConn.id}`)).status).toBe(200);
    for (const r of [
      await observer.client.post<Err>("/api/connections", base()),
      await observer.client.patch<Err>(`/api/connections/${adminConn.id}`, { name: "x" }),
      await observer.client.delete<Err>(`/api/connections/${adminConn.id}`),
      await observer.client.post<Err>(`/api/connections/${adminConn.id}/test`),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
    }

    const techConn = await create(tech.client);
    expect(techConn.created_by_user_id).toBe(tech.id);
    expect(
      (await tech.client.patch(`/api/connections/${adminConn.id}`, { description: "tech was here" })).status,
    ).toBe(200);
    const notOwn = await tech.client.delete<Err>(`/api/connections/${adminConn.id}`);
    expect(notOwn.status).toBe(403);
    expect((await tech2.client.delete(`/api/connections/${techConn.id}`)).status).toBe(403);
    expect((await tech.client.delete(`/api/connections/${techConn.id}`)).status).toBe(204);
    const techConn2 = await create(tech.client);
    expect((await admin.delete(`/api/connections/${techConn2.id}`)).status).toBe(204);
    expect((await admin.get(`/api/connections/${adminConn.id}`)).status).toBe(200);

    const denied = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ action: string }>(
            "select action from audit_log where organization_id = $1 and user_id = $2 and event_type = 'security.unauthorized'",
            [t.id, tech.id],
          )
        ).rows,
    );
    expect(denied.map((d) => d.action)).toContain("not_owner");
  });
});

describe("POST /:id/test", () => {
  it("checks the stored configuration and says plainly that no agent is connected", async () => {
    const conn = await create(admin);
    const r = await admin.post<Err & { error: { details: { checks: { name: string; ok: boolean }[] } } }>(
      `/api/connections/${conn.id}/test`,
    );
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("AGENT_OFFLINE");
    expect(r.body.error.details.checks).toEqual([
      expect.objectContaining({ name: "status", ok: true }),
      expect.objectContaining({ name: "credentials", ok: true }),
      expect.objectContaining({ name: "agent", ok: false }),
    ]);
    expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
  });

  it("reports a credential that no longer decrypts as an invalid configuration", async () => {
    const conn = await create(admin);
    await withTestDb((pool) =>
      pool.query("update connection set password_encrypted = 'v1.garbage' where id = $1", [conn.id]),
    );
    const r = await admin.post<Err>(`/api/connections/${conn.id}/test`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("INVALID_STATE");
    expect(await auditTypes(t.id, conn.id)).toEqual(["connection.created", "connection.tested"]);
  });
});

describe("audit", () => {
  it("records connection.created, updated, tested and deleted with the connection id", async () => {
    const conn = await create(admin);
    await admin.patch(`/api/connections/${conn.id}`, { password: "rotated-Secret-42" });
    await admin.post(`/api/connections/${conn.id}/test`);
    await admin.delete(`/api/connections/${conn.id}`);
    expect(await auditTypes(t.id, conn.id)).toEqual([
      "connection.created",
      "connection.updated",
      "connection.tested",
      "connection.deleted",
    ]);
    const meta = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ m: string }>(
            "select metadata::text as m from audit_log where connection_id = $1",
            [conn.id],
          )
        ).rows,
    );
    expect(JSON.stringify(meta)).not.toContain("rotated-Secret-42");
    expect(JSON.stringify(meta)).not.toContain(PASSWORD);
  });
});
