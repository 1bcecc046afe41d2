// /api/settings: read by anyone of the tenant, changed with MANAGE_SETTINGS with every field validated and
// audited (before/after, no secrets); allowed_ip_ranges (IPv4 and IPv6, CF-Connecting-IP) refusing logins
// and requests from elsewhere, audited; the plan's max_users.
import { describe, expect, it } from "vitest";
import {
  Client,
  createUser,
  loginAs,
  provision,
  roleIdOf,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: { fields?: { path: string }[] } } };
type Org = {
  name: string;
  slug: string;
  plan: string;
  max_users: number;
  max_connections: number;
  domain: string | null;
  logo_url: string | null;
  usage: { users: number };
  settings: Record<string, unknown>;
};
type AuditRows = {
  data: { event_type: string; action: string; ip_address: string; metadata: Record<string, unknown> }[];
};

describe("reading and changing", () => {
  it("any user of the tenant reads the organization, SSO fields included; only MANAGE_SETTINGS changes it", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    const obs = await loginAs(t, await createUser(admin, "Observer"));
    const r = await obs.get<Org>("/api/settings");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ slug: t.subdomain, plan: "pro", max_users: 100, max_connections: 250 });
    expect(r.body.settings).toMatchObject({
      session_timeout: 1_800_000,
      require_2fa: false,
      sso_enabled: false,
      auto_record_sessions: false,
      allowed_ip_ranges: [],
    });
    expect(r.body.usage.users).toBe(2);
    const tech = await loginAs(t, await createUser(admin, "Technician"));
    expect((await tech.patch<Err>("/api/settings", { name: "Mine now" })).status).toBe(403);
    expect((await obs.patch<Err>("/api/settings", { settings: { require_2fa: false } })).status).toBe(403);
    expect((await new Client(`${t.subdomain}.localhost`).get("/api/settings")).status).toBe(401);
  });

  it("stores every field, shows SSO, audits before/after without the webhook's secret", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    // Signed in before SSO is required: afterwards only the break-glass account may use a password.
    const obs = await loginAs(t, await createUser(admin, "Observer"));
    const r = await admin.patch<Org>("/api/settings", {
      name: "Weyland-Yutani",
      domain: "Weyland.Example",
      logo_url: "https://cdn.example/wy.png",
      settings: {
        session_timeout: 900_000,
        auto_record_sessions: true,
        sso_enabled: true,
        sso_provider: "okta",
        recording_retention_days: 30,
        audit_retention_days: 730,
        command_retention_days: 90,
        approval_timeout_ms: 120_000,
        webhook_url: "https://hooks.example/secret-path-token",
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: "Weyland-Yutani",
      domain: "weyland.example",
      logo_url: "https://cdn.example/wy.png",
    });
    expect(r.body.settings).toMatchObject({
      session_timeout: 900_000,
      auto_record_sessions: true,
      sso_enabled: true,
      sso_provider: "okta",
      recording_retention_days: 30,
      audit_retention_days: 730,
      command_retention_days: 90,
      legal_hold: null,
      approval_timeout_ms: 120_000,
      // Write-only: even the Admin who set it sees only its origin.
      webhook_url: "https://hooks.example/…",
    });
    const [row] = await sqlQuery<{ settings: Record<string, unknown> }>(
      `select settings from organization where id = $1`,
      [t.id],
    );
    expect(row?.settings.sso_provider).toBe("okta");
    // Users without MANAGE_SETTINGS see that a webhook exists, not its secret path.
    const seen = await obs.get<Org>("/api/settings");
    expect(JSON.stringify(seen.body)).not.toContain("secret-path-token");
    expect(seen.body.settings.sso_provider).toBe("okta");
    const audit = await admin.get<AuditRows>("/api/audit?type=settings.updated");
    expect(audit.body.data).toHaveLength(1);
    const meta = audit.body.data[0]?.metadata as {
      before: { settings: object };
      after: { settings: object };
    };
    expect(meta.before.settings).toMatchObject({ session_timeout: 1_800_000, sso_enabled: false });
    expect(meta.after.settings).toMatchObject({
      session_timeout: 900_000,
      sso_enabled: true,
      sso_provider: "okta",
    });
    expect(JSON.stringify(audit.body)).not.toContain("secret-path-token");
    // null clears an optional setting.
    const cleared = await admin.patch<Org>("/api/settings", {
      settings: { webhook_url: null, sso_enabled: false },
    });
    expect(cleared.body.settings.webhook_url).toBeNull();
  });

  it("refuses bad values field by field", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ settings: { session_timeout: 59_999 } }, "settings.session_timeout"],
      [{ settings: { session_timeout: 86_400_001 } }, "settings.session_timeout"],
      [{ settings: { session_timeout: "1h" } }, "settings.session_timeout"],
      [{ settings: { allowed_ip_ranges: ["10.0.0.0/33"] } }, "settings.allowed_ip_ranges.0"],
      [{ settings: { allowed_ip_ranges: ["2001:db8::/129"] } }, "settings.allowed_ip_ranges.0"],
      [{ settings: { allowed_ip_ranges: "10.0.0.0/8" } }, "settings.allowed_ip_ranges"],
      [{ settings: { webhook_url: "http://hooks.example/x" } }, "settings.webhook_url"],
      [{ settings: { webhook_url: "javascript:alert(1)" } }, "settings.webhook_url"],
      [{ settings: { require_2fa: "yes" } }, "settings.require_2fa"],
      [{ settings: { sso_provider: "<script>" } }, "settings.sso_provider"],
      [{ settings: { recording_retention_days: 0 } }, "settings.recording_retention_days"],
      [{ settings: { audit_retention_days: 29 } }, "settings.audit_retention_days"],
      [{ settings: { audit_retention_days: 3651 } }, "settings.audit_retention_days"],
      [{ settings: { command_retention_days: 6 } }, "settings.command_retention_days"],
      [{ settings: { command_retention_days: 1.5 } }, "settings.command_retention_days"],
      [{ settings: { approval_timeout_ms: 5 } }, "settings.approval_timeout_ms"],
      [{ settings: { sso_enabled: true } }, "settings.sso_provider"],
      [{ settings: { bogus: 1 } }, "settings"],
      [{ max_users: 100_000 }, ""],
      [{ plan: "enterprise" }, ""],
      [{ domain: "not a domain" }, "domain"],
      [{}, ""],
    ];
    for (const [body, field] of cases) {
      const r = await admin.patch<Err>("/api/settings", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details?.fields?.map((f) => f.path)).toContain(field);
    }
    const [row] = await sqlQuery<{ settings: Record<string, unknown>; max_users: number }>(
      `select settings, max_users from organization where id = $1`,
      [t.id],
    );
    expect(row?.settings.session_timeout).toBe(1_800_000);
    expect(row?.max_users).toBe(100);
  });
});

describe("allowed_ip_ranges", () => {
  it("IPv4 and IPv6 CIDR: logins and requests from elsewhere are refused and audited", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t); // from 203.0.113.10
    const u = await createUser(admin, "Technician");
    const inside6 = await loginAs(t, u, "2001:db8::5");
    const r = await admin.patch<Org>("/api/settings", {
      settings: { allowed_ip_ranges: ["203.0.113.0/24", "2001:db8::/32", "2001:db8::/32"] },
    });
    expect(r.status).toBe(200);
    expect(r.body.settings.allowed_ip_ranges).toEqual(["203.0.113.0/24", "2001:db8::/32"]);

    // Logins.
    expect(
      (await new Client(`${t.subdomain}.localhost`, "203.0.113.77").login(u.email, u.password)).status,
    ).toBe(200);
    expect(
      (await new Client(`${t.subdomain}.localhost`, "2001:db8:ffff::1").login(u.email, u.password)).status,
    ).toBe(200);
    for (const ip of ["198.51.100.7", "2001:db9::1", "::ffff:198.51.100.7", ""]) {
      const out = await new Client(`${t.subdomain}.localhost`, ip).login(u.email, u.password);
      expect(out.status, ip).toBe(403);
      expect((out.body as Err).error.code).toBe("IP_NOT_ALLOWED");
    }
    // Requests of an existing login, from inside and then from outside.
    expect((await inside6.get("/api/users")).status).toBe(200);
    inside6.ip = "2001:db9::9";
    const moved = await inside6.get<Err>("/api/users");
    expect(moved.status).toBe(403);
    expect(moved.body.error.code).toBe("IP_NOT_ALLOWED");
    // Tokens too.
    const token = (await admin.post<{ token: string }>("/api/auth/tokens", { name: "ip" })).body.token;
    const byToken = new Client(`${t.subdomain}.localhost`, "198.51.100.9");
    byToken.bearer = token;
    expect((await byToken.get("/api/users")).status).toBe(403);

    const audit = await admin.get<AuditRows>("/api/audit?type=security.unauthorized&page_size=200");
    const refused = audit.body.data.filter((a) => a.action === "ip_refused");
    expect(refused.map((a) => a.ip_address).sort()).toEqual(
      ["", "198.51.100.7", "198.51.100.9", "2001:db9::1", "2001:db9::9", "::ffff:198.51.100.7"].sort(),
    );
  });

  it("refuses ranges that would lock out the caller's own address, with a clear error", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t); // 203.0.113.10
    const r = await admin.patch<Err>("/api/settings", {
      settings: { allowed_ip_ranges: ["10.0.0.0/8", "2001:db8::/32"] },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain("203.0.113.10");
    const [row] = await sqlQuery<{ settings: { allowed_ip_ranges: string[] } }>(
      `select settings from organization where id = $1`,
      [t.id],
    );
    expect(row?.settings.allowed_ip_ranges).toEqual([]);
    // A single address is a range too.
    expect(
      (await admin.patch("/api/settings", { settings: { allowed_ip_ranges: ["203.0.113.10"] } })).status,
    ).toBe(200);
    // And an empty list lets everyone in again.
    expect((await admin.patch("/api/settings", { settings: { allowed_ip_ranges: [] } })).status).toBe(200);
    expect(
      (await new Client(`${t.subdomain}.localhost`, "198.51.100.1").login(t.adminEmail, t.adminPassword))
        .status,
    ).toBe(200);
  });
});

describe("plan limits", () => {
  it("max_users counts every user not deleted: one over → 403 PLAN_LIMIT (audited); deleting frees a seat", async () => {
    const t = await provision(await superAdmin(), { tier: "free" });
    const admin = await tenantClient(t);
    const before = await admin.get<Org>("/api/settings");
    expect(before.body.max_users).toBe(5);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createUser(admin, "Observer"));
    made.push(await createUser(admin, "Observer", { is_active: false }));
    expect((await admin.get<Org>("/api/settings")).body.usage.users).toBe(5);
    const extra = {
      email: `one-too-many-${t.subdomain}@example.com`,
      password: "long-enough-password",
      name: "One too many",
      role_id: await roleIdOf(admin, "Observer"),
    };
    const over = await admin.post<Err & { error: { details: { max: number; current: number } } }>(
      "/api/users",
      extra,
    );
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe("PLAN_LIMIT");
    expect(over.body.error.details).toMatchObject({ limit: "max_users", max: 5, current: 5 });
    const audit = await admin.get<AuditRows>("/api/audit?type=user.created&status=failure");
    expect(audit.body.data[0]?.metadata.reason).toBe("plan_limit");
    expect((await admin.delete(`/api/users/${made[0]?.id}`)).status).toBe(200);
    expect((await admin.post("/api/users", extra)).status).toBe(201);
  });
});
