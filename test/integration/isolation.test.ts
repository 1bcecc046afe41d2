// Tenant isolation with two tenants — one pooled, one in a dedicated database: no tenant route of one
// returns, counts or changes anything of the other by id, header, query or credential tricks; and the
// plaintext database password appears in no response, no database row and no log line.
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { Client, type ProvisionedTenant, provision, superAdmin, tenantClient } from "../support/api.ts";

const DB_PASSWORD = inject("customerDb").password;
let pooled: ProvisionedTenant;
let dedicated: ProvisionedTenant;
let dedicatedDbName: string;
const logged: string[] = [];

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
      original(...args);
    });
  }
  const admin = await superAdmin();
  pooled = await provision(admin);
  dedicatedDbName = `iso_${Date.now()}`;
  dedicated = await provision(admin, {
    dbHost: "127.0.0.1",
    dbPort: inject("pgPort"),
    dbName: dedicatedDbName,
    dbUsername: inject("customerDb").username,
    dbPassword: DB_PASSWORD,
  });
});

afterAll(() => vi.restoreAllMocks());

type Err = { error: { code: string } };

describe("credentials are bound to their tenant", () => {
  it("a login cookie of one tenant is refused on the other", async () => {
    for (const [from, to] of [
      [pooled, dedicated],
      [dedicated, pooled],
    ] as const) {
      const a = await tenantClient(from);
      const stolen = new Client(`${to.subdomain}.localhost`);
      stolen.cookie = a.cookie;
      stolen.csrf = a.csrf;
      expect((await stolen.get<Err>("/api/auth/me")).status).toBe(401);
      // Same cookie with the victim named by header or query on the platform host.
      const viaHeader = new Client("localhost");
      viaHeader.cookie = a.cookie;
      expect((await viaHeader.get("/api/auth/me", { headers: { "x-tenant-id": to.id } })).status).toBe(401);
      expect((await viaHeader.get(`/api/auth/me?tenantId=${to.subdomain}`)).status).toBe(401);
    }
  });

  it("an API token of one tenant is refused for the other", async () => {
    const a = await tenantClient(pooled);
    const t = await a.post<{ token: string }>("/api/auth/tokens", { name: "iso" });
    expect(t.status).toBe(201);
    const c = new Client("localhost");
    c.bearer = t.body.token;
    expect((await c.get("/api/auth/me")).status).toBe(200);
    expect((await c.get<Err>("/api/auth/me", { headers: { "x-tenant-id": dedicated.id } })).status).toBe(401);
    expect((await c.get<Err>("/api/auth/me", { host: `${dedicated.subdomain}.localhost` })).status).toBe(401);
  });

  it("a user of one tenant cannot log in on the other", async () => {
    const r = await new Client(`${dedicated.subdomain}.localhost`).login(
      pooled.adminEmail,
      pooled.adminPassword,
    );
    expect(r.status).toBe(401);
  });
});

describe("tenant data stays in its tenant", () => {
  it("/api/tenant/data reads and counts only the caller's tenant, whatever the query says", async () => {
    for (const t of [pooled, dedicated]) {
      const c = await tenantClient(t);
      const r = await c.get<{ data: { email: string }[]; pagination: { total: number } }>(
        "/api/tenant/data?table=user",
      );
      expect(r.status).toBe(200);
      expect(r.body.data.map((u) => u.email)).toEqual([t.adminEmail]);
      expect(r.body.pagination.total).toBe(1);
      expect(JSON.stringify(r.body)).not.toContain("password_hash");
      const other = t === pooled ? dedicated : pooled;
      expect((await c.get<Err>(`/api/tenant/data?table=user&tenantId=${other.id}`)).body.error.code).toBe(
        "TENANT_MISMATCH",
      );
      expect((await c.get<Err>("/api/tenant/data?table=pg_shadow")).status).toBe(404);
      expect((await c.get<Err>('/api/tenant/data?table=user";--')).status).toBe(400);
    }
  });
});

describe("the plaintext database password is nowhere", () => {
  it("not in any admin response", async () => {
    const admin = await superAdmin();
    const bodies = [
      await admin.get(`/api/admin/tenants/${dedicated.id}`),
      await admin.get("/api/admin/tenants?page_size=100"),
      await new Client().get(`/api/tenant/info?tenantId=${dedicated.id}`),
    ].map((r) => JSON.stringify(r.body));
    for (const b of bodies) expect(b).not.toContain(DB_PASSWORD);
  });

  it("not in any row of the platform database or the tenant's database", async () => {
    configureNeon(env.NEON_WS_PROXY);
    for (const url of [
      inject("databaseUrl"),
      inject("pgAdminUrl").replace(/\/postgres$/, `/${dedicatedDbName}`),
    ]) {
      const { pool } = createDb(url);
      const cols = await pool.query<{ s: string; t: string; c: string }>(
        `select table_schema s, table_name t, column_name c from information_schema.columns
         where table_schema in ('public','command','auth','monitoring') and data_type in ('text','jsonb','ARRAY','character varying')
           and table_name not like 'v\\_%'`,
      );
      for (const col of cols.rows) {
        const hit = await pool.query(
          `select 1 from "${col.s}"."${col.t}" where "${col.c}"::text like $1 limit 1`,
          [`%${DB_PASSWORD}%`],
        );
        expect(hit.rowCount, `${col.s}.${col.t}.${col.c}`).toBe(0);
      }
      await pool.end();
    }
  });

  it("not in any log line", () => {
    for (const line of logged) expect(line).not.toContain(DB_PASSWORD);
  });
});
