// /api/users: every USER field, no secret ever returned, list filters and pagination, duplicate email,
// soft delete that ends the user's logins, self-protection and the last Admin, tenant isolation.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = { error: { code: string; message: string; details?: { fields?: { path: string }[] } } };
type User = Record<string, unknown> & { id: string; email: string; role_id: string; role_name: string };
type Page = { data: User[]; pagination: { page: number; page_size: number; total: number } };
type AuditRows = { data: { event_type: string; metadata: Record<string, unknown> }[] };

const SAFE_KEYS = [
  "avatar_url",
  "bio",
  "created_at",
  "email",
  "id",
  "is_active",
  "last_login",
  "name",
  "organization_id",
  "role_id",
  "role_name",
  "timezone",
  "two_factor_enabled",
  "updated_at",
];

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

describe("create, read, update", () => {
  it("creates a user with every field of the seed and never returns a secret", async () => {
    const r = await admin.post<User>("/api/users", {
      email: "  Dallas@Nostromo.Example ",
      password: "captain-password-1",
      name: "Arthur Dallas",
      role_id: await roleIdOf(admin, "Technician"),
      timezone: "America/Santiago",
      avatar_url: "https://cdn.example/dallas.png",
      bio: "Captain",
    });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(SAFE_KEYS);
    expect(r.body).toMatchObject({
      email: "dallas@nostromo.example",
      name: "Arthur Dallas",
      role_name: "Technician",
      timezone: "America/Santiago",
      avatar_url: "https://cdn.example/dallas.png",
      bio: "Captain",
      is_active: true,
      two_factor_enabled: false,
      organization_id: t.id,
      last_login: null,
    });
    const [row] = await sqlQuery<{ password_hash: string }>(
      `select password_hash from "user" where id = $1`,
      [r.body.id],
    );
    expect(row?.password_hash).toMatch(/^\$2[aby]\$10\$/);
    const got = await admin.get<User>(`/api/users/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(SAFE_KEYS);
    const list = await admin.get<Page>("/api/users?page_size=200");
    expect(JSON.stringify(list.body)).not.toMatch(/password|secret|recovery/i);
    const audit = await admin.get<AuditRows>("/api/audit?type=user.created&page_size=200");
    expect(audit.body.data.some((a) => a.metadata.targetUserId === r.body.id)).toBe(true);
  });

  it("refuses bad input field by field", async () => {
    const role = await roleIdOf(admin, "Observer");
    const base = { email: "ok@example.com", password: "long-enough-password", name: "Ok", role_id: role };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, email: "not-an-email" }, "email"],
      [{ ...base, password: "short" }, "password"],
      [{ ...base, name: "" }, "name"],
      [{ ...base, role_id: "not-a-uuid" }, "role_id"],
      [{ ...base, timezone: "Mars/Olympus" }, "timezone"],
      [{ ...base, avatar_url: "javascript:alert(1)" }, "avatar_url"],
      [{ ...base, bio: "x".repeat(2001) }, "bio"],
      [{ ...base, is_active: "yes" }, "is_active"],
      [{ ...base, password_hash: "$2b$10$x" }, ""],
      [{ ...base, organization_id: "00000000-0000-4000-8000-000000000000" }, ""],
      [{ ...base, role_id: "00000000-0000-4000-8000-000000000000" }, "role_id"],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post<Err>("/api/users", body);
      expect(r.status, JSON.stringify(body).slice(0, 90)).toBe(400);
      expect(r.body.error.details?.fields?.map((f) => f.path)).toContain(field);
    }
    const malformed = await admin.call<Err>("POST", "/api/users", { rawBody: "{not json" });
    expect(malformed.body.error.code).toBe("INVALID_JSON");
  });

  it("a duplicate email (in any case) → 409", async () => {
    const u = await createUser(admin, "Observer");
    const r = await admin.post<Err>("/api/users", {
      email: u.email.toUpperCase(),
      password: "long-enough-password",
      name: "Twin",
      role_id: await roleIdOf(admin, "Observer"),
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("CONFLICT");
    const other = await createUser(admin, "Observer");
    expect((await admin.patch<Err>(`/api/users/${other.id}`, { email: u.email })).status).toBe(409);
  });

  it("updates fields, audits user.updated and user.role.changed", async () => {
    const u = await createUser(admin, "Observer");
    const r = await admin.patch<User>(`/api/users/${u.id}`, {
      name: "Ellen Ripley",
      timezone: "UTC+2",
      bio: null,
      role_id: await roleIdOf(admin, "Technician"),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: "Ellen Ripley",
      timezone: "UTC+2",
      bio: null,
      role_name: "Technician",
    });
    expect((await admin.patch<Err>(`/api/users/${u.id}`, {})).status).toBe(400);
    const audit = await admin.get<AuditRows>(`/api/audit?type=user.updated,user.role.changed&page_size=200`);
    const mine = audit.body.data.filter((a) => a.metadata.targetUserId === u.id);
    expect(mine.map((a) => a.event_type).sort()).toEqual(["user.role.changed", "user.updated"]);
    const changed = mine.find((a) => a.event_type === "user.role.changed");
    expect(changed?.metadata.from).toMatchObject({ name: "Observer" });
    expect(changed?.metadata.to).toMatchObject({ name: "Technician" });
  });

  it("an admin's password reset ends the user's logins", async () => {
    const u = await createUser(admin, "Observer");
    const c = await loginAs(t, u);
    expect((await admin.patch(`/api/users/${u.id}`, { password: "reset-by-admin-123" })).status).toBe(200);
    expect((await c.get("/api/auth/me")).status).toBe(401);
    expect(
      (await (await loginAs(t, { email: u.email, password: "reset-by-admin-123" })).get("/api/auth/me"))
        .status,
    ).toBe(200);
  });
});

describe("list", () => {
  it("filters by active, role and search (LIKE wildcards are literal) and paginates", async () => {
    const own = await provision(await superAdmin());
    const a = await tenantClient(own);
    const tech = await createUser(a, "Technician", { name: "Kane 100% sure" });
    const obs = await createUser(a, "Observer", { name: "Lambert_x" });
    const off = await createUser(a, "Observer", { name: "Parker", is_active: false });
    const all = await a.get<Page>("/api/users");
    expect(all.body.pagination.total).toBe(4);
    const inactive = await a.get<Page>("/api/users?active=false");
    expect(inactive.body.data.map((u) => u.id)).toEqual([off.id]);
    const active = await a.get<Page>("/api/users?active=true");
    expect(active.body.pagination.total).toBe(3);
    const observers = await a.get<Page>(`/api/users?role=${await roleIdOf(a, "Observer")}`);
    expect(observers.body.data.map((u) => u.id).sort()).toEqual([obs.id, off.id].sort());
    expect((await a.get<Page>("/api/users?search=100%25")).body.data.map((u) => u.id)).toEqual([tech.id]);
    expect((await a.get<Page>("/api/users?search=%25")).body.data.map((u) => u.id)).toEqual([tech.id]);
    expect((await a.get<Page>("/api/users?search=t_x")).body.data.map((u) => u.id)).toEqual([obs.id]);
    expect(
      (await a.get<Page>(`/api/users?search=${tech.email.slice(0, 12).toUpperCase()}`)).body.data,
    ).toHaveLength(1);
    const p1 = await a.get<Page>("/api/users?page_size=3&page=1");
    const p2 = await a.get<Page>("/api/users?page_size=3&page=2");
    expect(p1.body.data).toHaveLength(3);
    expect(p2.body.data).toHaveLength(1);
    expect(new Set([...p1.body.data, ...p2.body.data].map((u) => u.id)).size).toBe(4);
    for (const q of ["page_size=500", "active=maybe", "role=admin", "page=0"])
      expect((await a.get(`/api/users?${q}`)).status, q).toBe(400);
  });
});

describe("delete", () => {
  it("soft-deletes: gone from the API, row kept with deleted_at, logins ended, email reusable, audited", async () => {
    const u = await createUser(admin, "Technician");
    const c = await loginAs(t, u);
    const r = await admin.delete<{ deleted: { id: string }; ended: { logins: number } }>(
      `/api/users/${u.id}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.ended.logins).toBe(1);
    expect((await admin.get(`/api/users/${u.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/users/${u.id}`)).status).toBe(404);
    expect((await admin.get<Page>("/api/users?page_size=200")).body.data.map((x) => x.id)).not.toContain(
      u.id,
    );
    const [row] = await sqlQuery(`select deleted_at, is_active from "user" where id = $1`, [u.id]);
    expect(row?.deleted_at).not.toBeNull();
    expect(row?.is_active).toBe(false);
    const [login] = await sqlQuery(`select revoked_reason from auth.user_sessions where user_id = $1`, [
      u.id,
    ]);
    expect(login?.revoked_reason).toBe("user_deleted");
    expect((await c.get<Err>("/api/auth/me")).status).toBe(401);
    const again = await admin.post("/api/users", {
      email: u.email,
      password: "long-enough-password",
      name: "Reborn",
      role_id: await roleIdOf(admin, "Observer"),
    });
    expect(again.status).toBe(201);
    const audit = await admin.get<AuditRows>("/api/audit?type=user.deleted&page_size=200");
    expect(audit.body.data.some((a) => a.metadata.targetUserId === u.id)).toBe(true);
  });

  it("nobody deactivates, deletes or re-passwords themselves here; the last active Admin cannot be demoted", async () => {
    const own = await provision(await superAdmin());
    const a = await tenantClient(own);
    const me = (await a.get<{ principal: { id: string } }>("/api/auth/me")).body.principal.id;
    expect((await a.delete<Err>(`/api/users/${me}`)).body.error.code).toBe("INVALID_STATE");
    expect((await a.patch<Err>(`/api/users/${me}`, { is_active: false })).status).toBe(409);
    // One's own password changes only through /api/auth/password, which asks for the current one.
    expect((await a.patch<Err>(`/api/users/${me}`, { password: "no-current-needed?" })).status).toBe(400);
    const demote = await a.patch<Err>(`/api/users/${me}`, { role_id: await roleIdOf(a, "Technician") });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/last active Admin/);
    // With a second Admin, either may be demoted — but not both.
    const second = await createUser(a, "Admin");
    const b = await loginAs(own, second);
    expect((await b.patch(`/api/users/${me}`, { role_id: await roleIdOf(a, "Technician") })).status).toBe(
      200,
    );
    expect(
      (await b.patch<Err>(`/api/users/${second.id}`, { role_id: await roleIdOf(b, "Observer") })).status,
    ).toBe(409);
  });
});

describe("tenant isolation", () => {
  it("a user id of another tenant is 404 for read, update and delete; its roles cannot be assigned", async () => {
    const other = await provision(await superAdmin());
    const otherAdmin = await tenantClient(other);
    const victim = await createUser(otherAdmin, "Observer");
    expect((await admin.get(`/api/users/${victim.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/users/${victim.id}`, { name: "pwned" })).status).toBe(404);
    expect((await admin.delete(`/api/users/${victim.id}`)).status).toBe(404);
    const [row] = await sqlQuery(`select name, deleted_at from "user" where id = $1`, [victim.id]);
    expect(row?.deleted_at).toBeNull();
    expect(row?.name).not.toBe("pwned");
    expect(
      (await admin.get<Page>("/api/users?page_size=200")).body.data.every((u) => u.organization_id === t.id),
    ).toBe(true);
    const foreignRole = await otherAdmin.post<{ id: string }>("/api/roles", {
      name: "Foreign",
      permissions: ["user:read"],
    });
    const u = await createUser(admin, "Observer");
    const r = await admin.patch<Err>(`/api/users/${u.id}`, { role_id: foreignRole.body.id });
    expect(r.status).toBe(400);
    expect(r.body.error.details?.fields?.map((f) => f.path)).toEqual(["role_id"]);
  });
});
