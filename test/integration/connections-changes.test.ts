// /api/connections against real PostgreSQL in workerd: update (secrets rotated, host-key reset), soft delete,
// and the plan's max_connections.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
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
} from "./connections-fixtures.ts";

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  ({ t, admin } = await adminTenant());
});

describe("update", () => {
  it("changes fields, keeps only the current method's secret, and moves a default port with the type", async () => {
    const conn = await create(admin);
    const key = await admin.post<{ id: string }>("/api/ssh-keys/generate", { name: unique("key") });
    const r = await admin.patch<Conn>(`/api/connections/${conn.id}`, {
      auth_method: "ssh_key",
      ssh_key_id: key.body.id,
      tags: ["db"],
      description: null,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      auth_method: "ssh_key",
      ssh_key_id: key.body.id,
      has_password: false,
      tags: ["db"],
    });
    const [row] = await withTestDb(
      async (pool) =>
        (await pool.query("select password_encrypted from connection where id = $1", [conn.id])).rows,
    );
    expect(row.password_encrypted).toBeNull();

    const back = await admin.patch<Err>(`/api/connections/${conn.id}`, { auth_method: "password" });
    expect(back.status).toBe(400);
    expect(back.body.error.details?.fields?.map((f) => f.path)).toEqual(["password"]);
    const rdp = await admin.patch<Err>(`/api/connections/${conn.id}`, { type: "rdp" });
    expect(rdp.status).toBe(400);
    expect(rdp.body.error.details?.fields?.map((f) => f.path)).toEqual(["auth_method"]);

    const moved = await admin.patch<Conn>(`/api/connections/${conn.id}`, {
      type: "rdp",
      auth_method: "password",
      password: "another-Secret-99",
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ type: "rdp", port: 3389, has_password: true, ssh_key_id: null });
    expect(JSON.stringify(moved.body)).not.toContain("another-Secret-99");
    const custom = await create(admin, { port: 2222 });
    const keep = await admin.patch<Conn>(`/api/connections/${custom.id}`, { type: "telnet" });
    expect(keep.body.port).toBe(2222);

    const empty = await admin.patch<Err>(`/api/connections/${conn.id}`, {});
    expect(empty.status).toBe(400);
    const bad = await admin.patch<Err>(`/api/connections/${conn.id}`, { hostname: "bad host" });
    expect(bad.body.error.details?.fields?.map((f) => f.path)).toEqual(["hostname"]);
  });

  it("clears the pinned host key when the hostname, port or agent changes, not otherwise", async () => {
    const conn = await create(admin);
    const pin = () =>
      withTestDb((pool) =>
        pool.query("update connection set host_key = 'ssh-ed25519 AAAApinned' where id = $1", [conn.id]),
      );
    await pin();
    expect(
      (await admin.patch<Conn>(`/api/connections/${conn.id}`, { name: unique("renamed") })).body.host_key,
    ).toBe("ssh-ed25519 AAAApinned");
    expect(
      (await admin.patch<Conn>(`/api/connections/${conn.id}`, { hostname: conn.hostname })).body.host_key,
    ).toBe("ssh-ed25519 AAAApinned");
    expect(
      (await admin.patch<Conn>(`/api/connections/${conn.id}`, { hostname: "web-02.example" })).body.host_key,
    ).toBeNull();
    await pin();
    expect((await admin.patch<Conn>(`/api/connections/${conn.id}`, { port: 2200 })).body.host_key).toBeNull();
    await pin();
    const agentId = await withTestDb(async (pool) => {
      const r = await pool.query<{ id: string }>(
        "insert into command.agents (tenant_id, name, public_key) values ($1, $2, 'AAAA') returning id",
        [t.id, unique("agent")],
      );
      return (r.rows[0] as { id: string }).id;
    });
    const withAgent = await admin.patch<Conn>(`/api/connections/${conn.id}`, { agent_id: agentId });
    expect(withAgent.status).toBe(200);
    expect(withAgent.body).toMatchObject({ agent_id: agentId, host_key: null });
  });
});

describe("telnet", () => {
  it("stores no credential: created without one, refused one, and a connection turned telnet drops its own", async () => {
    const made = await admin.post<Conn>("/api/connections", {
      ...base({ type: "telnet" }),
      auth_method: undefined,
      password: undefined,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      type: "telnet",
      port: 23,
      auth_method: "password",
      has_password: false,
    });
    const sent = await admin.patch<Err>(`/api/connections/${made.body.id}`, { password: "no-Thanks-123" });
    expect(sent.status).toBe(400);
    expect(sent.body.error.details?.fields?.map((f) => f.path)).toEqual(["password"]);
    const refused = await admin.post<Err>("/api/connections", base({ type: "telnet" }));
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.fields?.map((f) => f.path)).toEqual(["password"]);

    const ssh = await create(admin);
    expect(ssh.has_password).toBe(true);
    const turned = await admin.patch<Conn>(`/api/connections/${ssh.id}`, { type: "telnet" });
    expect(turned.status, JSON.stringify(turned.body)).toBe(200);
    expect(turned.body).toMatchObject({ type: "telnet", auth_method: "password", has_password: false });
    const stored = await withTestDb((pool) =>
      pool.query<{ password_encrypted: string | null }>(
        "select password_encrypted from connection where id = $1",
        [ssh.id],
      ),
    );
    expect(stored.rows[0]?.password_encrypted).toBeNull();
  });
});

describe("delete", () => {
  it("is soft: gone from the API, kept in the table with deleted_at", async () => {
    const conn = await create(admin);
    expect((await admin.delete(`/api/connections/${conn.id}`)).status).toBe(204);
    expect((await admin.get(`/api/connections/${conn.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/connections/${conn.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/connections/${conn.id}`, { name: "x" })).status).toBe(404);
    const list = await admin.get<List>("/api/connections?page_size=100");
    expect(list.body.data.map((x) => x.id)).not.toContain(conn.id);
    const [row] = await withTestDb(
      async (pool) => (await pool.query("select deleted_at from connection where id = $1", [conn.id])).rows,
    );
    expect(row.deleted_at).not.toBeNull();
    expect(await auditTypes(t.id, conn.id)).toEqual(["connection.created", "connection.deleted"]);
  });
});

describe("plan limit", () => {
  it("refuses the connection past max_connections with 403 PLAN_LIMIT; a deleted one frees its slot", async () => {
    const free = await provision(await superAdmin(), { tier: "free" });
    const c = await tenantClient(free);
    const made: Conn[] = [];
    for (let i = 0; i < 10; i++) made.push(await create(c));
    const over = await c.post<Err>("/api/connections", base());
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe("PLAN_LIMIT");
    const refused = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ status: string }>(
            "select status from audit_log where organization_id = $1 and event_type = 'connection.created' and metadata->>'reason' = 'plan_limit'",
            [free.id],
          )
        ).rows,
    );
    expect(refused.map((r) => r.status)).toEqual(["failure"]);
    expect((await c.delete(`/api/connections/${made[0]?.id}`)).status).toBe(204);
    expect((await c.post("/api/connections", base())).status).toBe(201);
  });
});
