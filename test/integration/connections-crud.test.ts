// /api/connections against real PostgreSQL in workerd: create and read with the seed's fields and default
// ports, validation field by field, secrets encrypted and never returned, and ssh_key authentication.
import { beforeAll, describe, expect, it } from "vitest";
import { type Client, provision, superAdmin, tenantClient, unique, withTestDb } from "../support/api.ts";
import {
  adminTenant,
  base,
  CERT,
  type Conn,
  create,
  type Err,
  type List,
  PASSWORD,
} from "./connections-fixtures.ts";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await adminTenant());
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
      // A telnet connection stores no credential (the user logs in at the server's prompt).
      const extra = type === "telnet" ? { type, password: undefined } : { type };
      expect((await create(admin, extra)).port).toBe(port);
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
