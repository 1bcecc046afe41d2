// /api/connections against real PostgreSQL in workerd: CRUD with the seed's fields and default ports,
// validation field by field, secrets encrypted and never returned, the plan's max_connections, soft delete,
// the role matrix (Technician deletes only their own), tenant isolation, host-key reset, test, audit.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
  userWithRole,
  withTestDb,
} from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: { fields?: { path: string }[] } } };
type Conn = Record<string, unknown> & { id: string };
type List = { data: Conn[]; pagination: { page: number; page_size: number; total: number } };

const PASSWORD = "s3cret-Pa55word-for-the-target";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake-certificate-body-0123456789\n-----END CERTIFICATE-----";

function base(extra: Record<string, unknown> = {}) {
  return {
    name: unique("web"),
    hostname: "web-01.internal.example",
    username: "deploy",
    auth_method: "password",
    password: PASSWORD,
    ...extra,
  };
}

async function create(c: Client, extra: Record<string, unknown> = {}): Promise<Conn> {
  const r = await c.post<Conn>("/api/connections", base(extra));
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function auditTypes(tenantId: string, connectionId: string): Promise<string[]> {
  return withTestDb(async (pool) => {
    const r = await pool.query<{ event_type: string }>(
      "select event_type from audit_log where organization_id = $1 and connection_id = $2 order by created_at",
      [tenantId, connectionId],
    );
    return r.rows.map((x) => x.event_type);
  });
}

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

describe("create and read", () => {
  it("stores every seed field, defaults the port by type and answers has_password, never the password", async () => {
    const r = await admin.post<Conn>(
      "/api/connections",
      base({
        type: "ssh",
        description: "primary web node",
        tags: ["web", "eu", "web"],
        environment: "production",
        status: "inactive",
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      type: "ssh",
      hostname: "web-01.internal.example",
      port: 22,
      username: "deploy",
      auth_method: "password",
      has_password: true,
      has_certificate: false,
      ssh_key_id: null,
      description: "primary web node",
      tags: ["web", "eu"],
      environment: "production",
      status: "inactive",
      agent_id: null,
      host_key: null,
      last_used: null,
      total_sessions: 0,
    });
    expect(r.body).not.toHaveProperty("password");
    expect(r.body).not.toHaveProperty("password_encrypted");
    expect(r.body).not.toHaveProperty("organization_id");
    const got = await admin.get<Conn>(`/api/connections/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    expect(JSON.stringify(got.body)).not.toContain(PASSWORD);
  });

  it("defaults 22 / 3389 / 5900 / 23 by type and keeps an explicit port", async () => {
    for (const [type, port] of [
      ["ssh", 22],
      ["rdp", 3389],
      ["vnc", 5900],
      ["telnet", 23],
    ] as const) {
      expect((await create(admin, { type })).port).toBe(port);
    }
    expect((await create(admin, { type: "vnc", port: 5901 })).port).toBe(5901);
  });

  it("accepts IPv4, IPv6 and DNS names, lower-cased", async () => {
    expect((await create(admin, { hostname: "10.0.0.7" })).hostname).toBe("10.0.0.7");
    expect((await create(admin, { hostname: "fd00::7" })).hostname).toBe("fd00::7");
    expect((await create(admin, { hostname: "DB.Example.COM" })).hostname).toBe("db.example.com");
  });

  it("encrypts the password and the certificate with the tenant key: never in a response, never plaintext at rest", async () => {
    const pw = await create(admin);
    const cert = await create(admin, {
      type: "rdp",
      auth_method: "certificate",
      certificate: CERT,
      password: undefined,
    });
    expect(cert.has_certificate).toBe(true);
    expect(cert.has_password).toBe(false);
    const list = await admin.get<List>("/api/connections?page_size=100");
    const everything = JSON.stringify([
      pw,
      cert,
      list.body,
      (await admin.get(`/api/connections/${cert.id}`)).body,
    ]);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain("fake-certificate-body");
    const rows = await withTestDb(
      async (pool) =>
        (
          await pool.query<{ id: string; password_encrypted: string | null; certificate: string | null }>(
            "select id, password_encrypted, certificate from connection where id = any($1)",
            [[pw.id, cert.id]],
          )
        ).rows,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(pw.id)?.password_encrypted).toBeTruthy();
    expect(byId.get(pw.id)?.password_encrypted).not.toContain(PASSWORD);
    expect(byId.get(cert.id)?.certificate).toBeTruthy();
    expect(byId.get(cert.id)?.certificate).not.toContain("fake-certificate-body");
    expect(byId.get(cert.id)?.password_encrypted).toBeNull();
  });

  it("lists with filters, search and pagination", async () => {
    const tag = unique("tag");
    const a = await create(admin, { tags: [tag], type: "rdp", environment: "staging", name: `${tag} alpha` });
    const b = await create(admin, { tags: [tag], type: "ssh", environment: "staging", status: "archived" });
    await create(admin, { tags: [tag], type: "ssh", environment: "test", hostname: `${tag}.example.org` });
    const ids = async (q: string) =>
      (await admin.get<List>(`/api/connections?${q}`)).body.data.map((x) => x.id).sort();
    expect((await ids(`tag=${tag}`)).length).toBe(3);
    expect(await ids(`tag=${tag}&type=rdp`)).toEqual([a.id]);
    expect(await ids(`tag=${tag}&status=archived`)).toEqual([b.id]);
    expect((await ids(`tag=${tag}&environment=staging`)).sort()).toEqual([a.id, b.id].sort());
    expect(await ids(`search=${encodeURIComponent(`${tag} alpha`)}`)).toEqual([a.id]);
    expect((await ids(`search=${tag}.example`)).length).toBe(1);
    // LIKE wildcards in the search are literal characters.
    expect(await ids("search=%25")).toEqual([]);
    const page1 = await admin.get<List>(`/api/connections?tag=${tag}&page_size=2&page=1`);
    const page2 = await admin.get<List>(`/api/connections?tag=${tag}&page_size=2&page=2`);
    expect(page1.body.pagination).toEqual({ page: 1, page_size: 2, total: 3 });
    expect(page1.body.data.length).toBe(2);
    expect(page2.body.data.length).toBe(1);
    expect(new Set([...page1.body.data, ...page2.body.data].map((x) => x.id)).size).toBe(3);
    const bad = await admin.get<Err>("/api/connections?type=ftp");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("refuses bad input field by field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [base({ name: "" }), "name"],
      [base({ name: "x".repeat(201) }), "name"],
      [base({ type: "ftp" }), "type"],
      [base({ hostname: "not a host" }), "hostname"],
      [base({ hostname: "-bad-.example" }), "hostname"],
      [base({ hostname: "999.1.1.1" }), "hostname"],
      [base({ hostname: "a".repeat(300) }), "hostname"],
      [base({ port: 0 }), "port"],
      [base({ port: 70000 }), "port"],
      [base({ port: "22" }), "port"],
      [base({ username: "" }), "username"],
      [base({ username: "root\nX" }), "username"],
      [base({ auth_method: "kerberos" }), "auth_method"],
      [base({ password: undefined }), "password"],
      [base({ auth_method: "ssh_key", password: undefined }), "ssh_key_id"],
      [base({ auth_method: "ssh_key" }), "password"],
      [base({ auth_method: "certificate", password: undefined }), "certificate"],
      [base({ ssh_key_id: "not-a-uuid" }), "ssh_key_id"],
      [base({ tags: "web" }), "tags"],
      [base({ tags: [""] }), "tags.0"],
      [base({ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), "tags"],
      [base({ environment: "prod" }), "environment"],
      [base({ status: "deleted" }), "status"],
      [base({ agent_id: "agent-1" }), "agent_id"],
      [base({ agent_id: "00000000-0000-4000-8000-000000000000" }), "agent_id"],
      [
        base({
          ssh_key_id: "00000000-0000-4000-8000-000000000000",
          auth_method: "ssh_key",
          password: undefined,
        }),
        "ssh_key_id",
      ],
      [
        base({
          type: "rdp",
          auth_method: "ssh_key",
          ssh_key_id: "00000000-0000-4000-8000-000000000000",
          password: undefined,
        }),
        "auth_method",
      ],
      [base({ created_by_user_id: "00000000-0000-4000-8000-000000000000" }), ""],
      [base({ total_sessions: 5 }), ""],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post<Err>("/api/connections", body);
      expect(r.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.details?.fields?.map((f) => f.path)).toContain(field);
    }
    const notJson = await admin.post<Err>("/api/connections", undefined, {
      rawBody: "{",
      contentType: "application/json",
    });
    expect(notJson.body.error.code).toBe("INVALID_JSON");
  });
});

describe("ssh_key authentication", () => {
  it("takes an SSH key of the same organization only", async () => {
    const key = await admin.post<{ id: string }>("/api/ssh-keys/generate", { name: unique("key") });
    expect(key.status).toBe(201);
    const conn = await create(admin, {
      auth_method: "ssh_key",
      ssh_key_id: key.body.id,
      password: undefined,
    });
    expect(conn).toMatchObject({ auth_method: "ssh_key", ssh_key_id: key.body.id, has_password: false });

    const other = await provision(await superAdmin());
    const otherAdmin = await tenantClient(other);
    const foreign = await otherAdmin.post<{ id: string }>("/api/ssh-keys/generate", { name: unique("key") });
    const r = await admin.post<Err>(
      "/api/connections",
      base({ auth_method: "ssh_key", ssh_key_id: foreign.body.id, password: undefined }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details?.fields?.map((f) => f.path)).toEqual(["ssh_key_id"]);
  });
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
