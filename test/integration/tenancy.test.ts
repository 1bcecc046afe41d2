// Tenancy: super-admin access, provisioning (pooled, dedicated on a supplied server, failures rolled
// back), listing, features, suspend/reactivate, resolution by subdomain / header / query, mismatch.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { Client, provision, superAdmin, tenantClient, unique } from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: unknown } };

describe("super-admin access to /api/admin", () => {
  it("answers 401 without a login, for every admin route", async () => {
    const c = new Client();
    for (const [m, p] of [
      ["GET", "/api/admin/tenants"],
      ["POST", "/api/admin/tenants/provision"],
      ["GET", "/api/admin/tenants/00000000-0000-4000-8000-000000000000"],
      ["PATCH", "/api/admin/tenants/00000000-0000-4000-8000-000000000000/features"],
      ["GET", "/api/admin/dashboard"],
      ["GET", "/api/sessions"],
    ] as const) {
      const r = await c.call<Err>(m, p, m === "GET" ? {} : { body: {} });
      expect(r.status, `${m} ${p}`).toBe(401);
    }
  });

  it("a wrong password is refused", async () => {
    const r = await new Client().login(inject("superAdmin").email, "nope-nope-nope");
    expect(r.status).toBe(401);
    expect((r.body as Err).error.code).toBe("INVALID_CREDENTIALS");
  });

  it("a tenant user cannot reach /api/admin", async () => {
    const t = await provision(await superAdmin());
    const user = await tenantClient(t);
    const r = await user.get<Err>("/api/admin/tenants");
    expect(r.status).toBe(403);
  });
});

describe("POST /api/admin/tenants/provision", () => {
  it("answers the seed's shape, with an accent-folded subdomain, suffixed on collision", async () => {
    const admin = await superAdmin();
    const name = `Ñandú Café ${unique("x").slice(-4)}`;
    const r = await admin.post<{ message: string; tenant: Record<string, string> }>(
      "/api/admin/tenants/provision",
      {
        companyName: name,
        tier: "gold",
        adminEmail: "owner@nandu.example",
        adminPassword: "correct-horse-battery",
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.message).toBe("Tenant provisioned successfully");
    expect(Object.keys(r.body.tenant).sort()).toEqual(["companyName", "id", "subdomain", "tier"]);
    expect(r.body.tenant.subdomain).toMatch(/^nandu-cafe-/);
    const again = await admin.post<{ tenant: Record<string, string> }>("/api/admin/tenants/provision", {
      companyName: name,
      tier: "free",
    });
    expect(again.status).toBe(201);
    expect(again.body.tenant.subdomain).toBe(`${r.body.tenant.subdomain}-2`);
  });

  it("refuses bad input field by field", async () => {
    const admin = await superAdmin();
    const cases: [Record<string, unknown>, string][] = [
      [{ companyName: "A", tier: "diamond" }, "tier"],
      [{ companyName: "A", tier: "gold", driverType: "oracle" }, "driverType"],
      [
        {
          companyName: "A",
          tier: "gold",
          dbHost: "h",
          dbPort: 70000,
          dbName: "d",
          dbUsername: "u",
          dbPassword: "p",
        },
        "dbPort",
      ],
      [{ tier: "gold" }, "companyName"],
      [{ companyName: "x".repeat(10_000), tier: "gold" }, "companyName"],
      [{ companyName: "A", tier: "gold", dbHost: "localhost" }, "dbName"],
      [{ companyName: "A", tier: "gold", rut: "12.345.678-9" }, "rut"],
      [{ companyName: "A", tier: "gold", bogus: 1 }, ""],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post<{ error: { code: string; details: { fields: { path: string }[] } } }>(
        "/api/admin/tenants/provision",
        body,
      );
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.details.fields.map((f) => f.path)).toContain(field);
    }
  });

  it("treats SQL in the company name as text", async () => {
    const admin = await superAdmin();
    const r = await admin.post<{ tenant: { companyName: string; subdomain: string } }>(
      "/api/admin/tenants/provision",
      {
        companyName: `Robert'); DROP TABLE command.tenants;-- ${unique("x").slice(-5)}`,
        tier: "free",
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.tenant.companyName).toContain("DROP TABLE");
    expect((await admin.get("/api/admin/tenants")).status).toBe(200);
  });

  it("refuses reserved subdomains", async () => {
    const admin = await superAdmin();
    const r = await admin.post<Err>("/api/admin/tenants/provision", { companyName: "Admin", tier: "free" });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("SUBDOMAIN_RESERVED");
  });

  it("creates and migrates a dedicated database on a supplied server", async () => {
    const admin = await superAdmin();
    const { username, password } = inject("customerDb");
    const dbName = `lapaella_${Date.now()}`;
    const t = await provision(admin, {
      driverType: "postgresql",
      dbHost: "127.0.0.1",
      dbPort: inject("pgPort"),
      dbName,
      dbUsername: username,
      dbPassword: password,
    });
    const detail = await admin.get<{ database: Record<string, unknown>; dbPassword?: unknown }>(
      `/api/admin/tenants/${t.id}`,
    );
    expect(detail.body.database).toEqual({
      mode: "dedicated",
      driver_type: "postgresql",
      credentials_stored: true,
    });
    expect(JSON.stringify(detail.body)).not.toContain(password);
    // The tenant's data lives in its own database: its admin exists there, not in the pooled one.
    configureNeon(env.NEON_WS_PROXY);
    const { pool } = createDb(inject("pgAdminUrl").replace(/\/postgres$/, `/${dbName}`));
    const users = await pool.query(`select email from "user"`);
    await pool.end();
    expect(users.rows.map((r) => r.email)).toEqual([t.adminEmail]);
    const user = await tenantClient(t);
    expect((await user.get("/api/auth/me")).status).toBe(200);
  });

  it("says clearly when the supplied database cannot be reached or authenticated, and leaves no tenant", async () => {
    const admin = await superAdmin();
    const before = (await admin.get<{ pagination: { total: number } }>("/api/admin/tenants")).body.pagination
      .total;
    const base = {
      companyName: unique("Broken"),
      tier: "gold",
      driverType: "postgresql",
      dbName: "x_db",
      dbUsername: inject("customerDb").username,
    };
    const unreachable = await admin.post<Err>("/api/admin/tenants/provision", {
      ...base,
      dbHost: "127.0.0.1",
      dbPort: 9,
      dbPassword: "whatever",
    });
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.error.code).toBe("TENANT_DB_UNREACHABLE");
    const badAuth = await admin.post<Err>("/api/admin/tenants/provision", {
      ...base,
      dbHost: "127.0.0.1",
      dbPort: inject("pgPort"),
      dbPassword: "wrong-password",
    });
    expect(badAuth.status).toBe(422);
    expect(badAuth.body.error.code).toBe("TENANT_DB_AUTH_FAILED");
    expect(badAuth.body.error.message).not.toContain("wrong-password");
    const after = (await admin.get<{ pagination: { total: number } }>("/api/admin/tenants")).body.pagination
      .total;
    expect(after).toBe(before);
  });
});

describe("listing, features, suspension", () => {
  it("lists with pagination and filters", async () => {
    const admin = await superAdmin();
    await provision(admin);
    const r = await admin.get<{ data: { tier: string }[]; pagination: { total: number; page_size: number } }>(
      "/api/admin/tenants?tier=gold&page_size=2&page=1",
    );
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBeLessThanOrEqual(2);
    expect(r.body.data.every((t) => t.tier === "gold")).toBe(true);
    expect((await admin.get("/api/admin/tenants?page_size=1000")).status).toBe(400);
    expect((await admin.get("/api/admin/tenants?status=gone")).status).toBe(400);
  });

  it("sets features with the seed's body, and a route needing a missing feature answers FEATURE_DISABLED", async () => {
    const admin = await superAdmin();
    const t = await provision(admin);
    const r = await admin.patch<{ tenant: { features: string[] } }>(`/api/admin/tenants/${t.id}/features`, {
      features: ["ventas", "crm", "inventario"],
    });
    expect(r.status).toBe(200);
    expect(r.body.tenant.features).toEqual(["crm", "inventario", "ventas"]);
    const user = await tenantClient(t);
    const info = await user.get<{ features: string[] }>(`/api/tenant/info?tenantId=${t.id}`);
    expect(info.body.features).toEqual(["crm", "inventario", "ventas"]);
    const data = await user.get<Err>("/api/tenant/data");
    expect(data.status).toBe(403);
    expect(data.body.error.code).toBe("FEATURE_DISABLED");
    expect(
      (await admin.patch(`/api/admin/tenants/${t.id}/features`, { features: ["Bad Feature!"] })).status,
    ).toBe(400);
  });

  it("suspends and reactivates; a suspended tenant answers 403 TENANT_SUSPENDED", async () => {
    const admin = await superAdmin();
    const t = await provision(admin);
    expect((await admin.post(`/api/admin/tenants/${t.id}/suspend`, { reason: "unpaid" })).status).toBe(200);
    const r = await new Client().get<Err>(`/api/tenant/info`, { headers: { "x-tenant-id": t.id } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("TENANT_SUSPENDED");
    expect((await admin.post(`/api/admin/tenants/${t.id}/suspend`)).status).toBe(409);
    expect((await admin.post(`/api/admin/tenants/${t.id}/reactivate`)).status).toBe(200);
    expect((await new Client().get(`/api/tenant/info`, { headers: { "x-tenant-id": t.id } })).status).toBe(
      200,
    );
  });
});

describe("GET /api/tenant/info", () => {
  it("tells an anonymous caller only what a sign-in page needs; a login of the tenant sees the rest", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    expect(
      (
        await admin.patch("/api/settings", {
          logo_url: "https://cdn.example/logo.png",
          settings: { require_2fa: false, sso_enabled: true, sso_provider: "okta" },
        })
      ).status,
    ).toBe(200);
    const anon = await new Client().get<Record<string, unknown>>(`/api/tenant/info?tenantId=${t.id}`);
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({
      id: t.id,
      company_name: expect.any(String),
      subdomain: t.subdomain,
      name: expect.any(String),
      logo_url: "https://cdn.example/logo.png",
      sign_in: { methods: ["password", "sso"], sso_provider: "okta", two_factor: "optional" },
    });
    for (const hidden of ["tier", "plan", "limits", "features", "security", "status"]) {
      expect(anon.body).not.toHaveProperty(hidden);
    }
    const full = await admin.get<Record<string, unknown>>("/api/tenant/info");
    expect(full.body).toMatchObject({ id: t.id, tier: "gold", plan: expect.any(String) });
    expect(full.body.limits).toEqual({ max_users: expect.any(Number), max_connections: expect.any(Number) });
    expect(full.body.security).toEqual({ require_2fa: false, sso_enabled: true });
    expect(full.body).toHaveProperty("features");
    // A login of another tenant naming this one is refused (its host names its own tenant: 400; on the
    // platform host its cookie is not honoured for this tenant: the anonymous answer) — never the rest.
    const other = await tenantClient(await provision(await superAdmin()));
    const foreign = await other.get(`/api/tenant/info?tenantId=${t.id}`);
    expect(foreign.status).toBe(400);
    const viaPlatform = new Client("localhost");
    viaPlatform.cookie = other.cookie;
    const foreign2 = await viaPlatform.get(`/api/tenant/info?tenantId=${t.id}`);
    expect(foreign2.status).toBe(200);
    expect(foreign2.body).not.toHaveProperty("tier");
    // The super admin sees it all (the platform's operator).
    const root = await (await superAdmin()).get<Record<string, unknown>>(`/api/tenant/info?tenantId=${t.id}`);
    expect(root.body).toHaveProperty("tier", "gold");
  });
});

describe("tenant resolution", () => {
  it("reaches /api/tenant/info by subdomain, header and query (id or subdomain)", async () => {
    const t = await provision(await superAdmin());
    const c = new Client();
    for (const r of [
      await c.get<{ id: string }>("/api/tenant/info", { host: `${t.subdomain}.localhost:8787` }),
      await c.get<{ id: string }>("/api/tenant/info", { headers: { "x-tenant-id": t.id } }),
      await c.get<{ id: string }>(`/api/tenant/info?tenantId=${t.id}`),
      await c.get<{ id: string }>(`/api/tenant/info?tenantId=${t.subdomain}`),
      await c.get<{ id: string }>("/api/tenant/info", { host: `${t.subdomain}.nostromo.example` }),
    ]) {
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(t.id);
    }
  });

  it("two sources naming different tenants → 400 TENANT_MISMATCH; unknown → 404", async () => {
    const admin = await superAdmin();
    const [a, b] = [await provision(admin), await provision(admin)];
    const c = new Client();
    const r = await c.get<Err>("/api/tenant/info", {
      host: `${a.subdomain}.localhost`,
      headers: { "x-tenant-id": b.id },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("TENANT_MISMATCH");
    const q = await c.get<Err>(`/api/tenant/info?tenantId=${b.subdomain}`, {
      headers: { "x-tenant-id": a.id },
    });
    expect(q.body.error.code).toBe("TENANT_MISMATCH");
    const u = await c.get<Err>("/api/tenant/info", {
      headers: { "x-tenant-id": "00000000-0000-4000-8000-000000000000" },
    });
    expect(u.status).toBe(404);
    expect(u.body.error.code).toBe("TENANT_NOT_FOUND");
    expect((await c.get<Err>("/api/tenant/info?tenantId=%27%3B--")).body.error.code).toBe("TENANT_NOT_FOUND");
    expect((await c.get<Err>("/api/tenant/info")).body.error.code).toBe("TENANT_NOT_FOUND");
  });
});
