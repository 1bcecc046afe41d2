// /api/roles: the predefined roles with the seed's permissions, custom roles under MANAGE_ROLES (enum
// checked, names unique, predefined immutable, in-use not deletable, effective at once), and escalation
// attempts: each refused with 403 and audited as security.unauthorized, or 404 across tenants.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = { error: { code: string; message: string } };
type Role = {
  id: string;
  name: string;
  permissions: string[];
  is_system: boolean;
  own_only: string[];
  user_count: number;
};
type AuditRows = {
  data: {
    event_type: string;
    action: string;
    status: string;
    user_id: string;
    metadata: Record<string, unknown>;
  }[];
};

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

async function unauthorizedOf(userId: string) {
  return (await admin.get<AuditRows>(`/api/audit?type=security.unauthorized&user=${userId}`)).body.data;
}

describe("predefined roles", () => {
  it("lists Admin, Technician and Observer with exactly the seed's permissions, and all 18 permissions", async () => {
    const r = await admin.get<{ data: Role[]; permissions: string[] }>("/api/roles");
    expect(r.status).toBe(200);
    expect(r.body.permissions).toHaveLength(18);
    const byName = Object.fromEntries(r.body.data.filter((x) => x.is_system).map((x) => [x.name, x]));
    expect(Object.keys(byName).sort()).toEqual(["Admin", "Observer", "Technician"]);
    expect(byName.Admin?.permissions.sort()).toEqual([...r.body.permissions].sort());
    expect(byName.Technician?.permissions.sort()).toEqual(
      [
        "audit:view",
        "connection:create",
        "connection:delete",
        "connection:read",
        "connection:update",
        "session:end",
        "session:join",
        "session:record",
        "session:start",
        "session:view",
        "user:read",
      ].sort(),
    );
    expect(byName.Technician?.own_only.sort()).toEqual(["connection:delete", "session:end"]);
    expect(byName.Observer?.permissions.sort()).toEqual(
      ["audit:view", "connection:read", "session:join", "session:view", "user:read"].sort(),
    );
    expect(byName.Admin?.user_count).toBe(1);
  });

  it("predefined roles cannot be changed or deleted", async () => {
    const id = await roleIdOf(admin, "Observer");
    expect((await admin.patch<Err>(`/api/roles/${id}`, { permissions: ["user:create"] })).status).toBe(403);
    expect((await admin.delete<Err>(`/api/roles/${id}`)).status).toBe(403);
    const again = await admin.get<Role>(`/api/roles/${id}`);
    expect(again.body.permissions).not.toContain("user:create");
  });
});

describe("custom roles", () => {
  it("creates with MANAGE_ROLES; checks the permissions and the name; audited", async () => {
    const r = await admin.post<Role>("/api/roles", {
      name: "Auditor",
      description: "reads the trail",
      permissions: ["audit:view", "user:read", "audit:view"],
      color: "#123abc",
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "Auditor", is_system: false, user_count: 0 });
    expect(r.body.permissions.sort()).toEqual(["audit:view", "user:read"]);
    const bad = await admin.post<Err>("/api/roles", { name: "Bad", permissions: ["audit:view", "root:all"] });
    expect(bad.status).toBe(400);
    for (const name of ["Auditor", "auditor", "ADMIN", "Observer"]) {
      const dup = await admin.post<Err>("/api/roles", { name, permissions: [] });
      expect(dup.status, name).toBe(409);
    }
    expect((await admin.post<Err>("/api/roles", { name: "X", permissions: [], color: "red" })).status).toBe(
      400,
    );
    expect(
      (await admin.post<Err>("/api/roles", { name: "X", permissions: [], is_system: true })).status,
    ).toBe(400);
    const audit = await admin.get<AuditRows>("/api/audit?type=role.created");
    expect(audit.body.data.some((a) => a.metadata.roleId === r.body.id)).toBe(true);
  });

  it("a change applies to its holders at once; a role in use cannot be deleted", async () => {
    const role = await admin.post<Role>("/api/roles", { name: "Reader", permissions: ["user:read"] });
    const u = await createUser(admin, "Reader");
    const c = await loginAs(t, u);
    expect((await c.get("/api/users")).status).toBe(200);
    expect((await c.get("/api/audit")).status).toBe(403);
    const upd = await admin.patch<Role>(`/api/roles/${role.body.id}`, {
      permissions: ["user:read", "audit:view"],
      name: "Reader+",
    });
    expect(upd.status).toBe(200);
    expect((await c.get("/api/audit")).status).toBe(200);
    const inUse = await admin.delete<Err>(`/api/roles/${role.body.id}`);
    expect(inUse.status).toBe(409);
    expect(
      (await admin.patch(`/api/users/${u.id}`, { role_id: await roleIdOf(admin, "Observer") })).status,
    ).toBe(200);
    expect((await admin.delete(`/api/roles/${role.body.id}`)).status).toBe(200);
    expect((await admin.get(`/api/roles/${role.body.id}`)).status).toBe(404);
    const audit = await admin.get<AuditRows>("/api/audit?type=role.updated,role.deleted");
    const mine = audit.body.data.filter((a) => a.metadata.roleId === role.body.id);
    expect(mine.map((a) => a.event_type).sort()).toEqual(["role.deleted", "role.updated"]);
    const updated = mine.find((a) => a.event_type === "role.updated");
    expect(updated?.metadata.before).toMatchObject({ name: "Reader", permissions: ["user:read"] });
  });

  it("a deleted user's role can still be deleted", async () => {
    const role = await admin.post<Role>("/api/roles", { name: "Temp", permissions: ["user:read"] });
    const u = await createUser(admin, "Temp");
    expect((await admin.delete(`/api/users/${u.id}`)).status).toBe(200);
    expect((await admin.delete(`/api/roles/${role.body.id}`)).status).toBe(200);
  });

  it("a role of another tenant is invisible: 404 to read, change or delete", async () => {
    const other = await provision(await superAdmin());
    const theirs = await (await tenantClient(other)).post<Role>("/api/roles", {
      name: "Theirs",
      permissions: ["user:read"],
    });
    expect((await admin.get(`/api/roles/${theirs.body.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/roles/${theirs.body.id}`, { name: "Mine" })).status).toBe(404);
    expect((await admin.delete(`/api/roles/${theirs.body.id}`)).status).toBe(404);
    const list = await admin.get<{ data: Role[] }>("/api/roles");
    expect(list.body.data.map((r) => r.name)).not.toContain("Theirs");
  });
});

describe("escalation attempts", () => {
  it("a Technician giving itself Admin → 403, audited as security.unauthorized", async () => {
    const u = await createUser(admin, "Technician");
    const c = await loginAs(t, u);
    const r = await c.patch<Err>(`/api/users/${u.id}`, { role_id: await roleIdOf(admin, "Admin") });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FORBIDDEN");
    const me = await c.get<{ principal: { role_name: string } }>("/api/auth/me");
    expect(me.body.principal.role_name).toBe("Technician");
    const denied = await unauthorizedOf(u.id);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ action: "permission_denied", status: "failure" });
    expect(denied[0]?.metadata.missing).toEqual(["user:update"]);
    // Nor may it make itself a role.
    expect((await c.post<Err>("/api/roles", { name: "Mine", permissions: ["user:create"] })).status).toBe(
      403,
    );
  });

  it("a role manager cannot hand out, or reach, more than it holds", async () => {
    await admin.post<Role>("/api/roles", {
      name: "People Manager",
      permissions: ["user:read", "user:update", "user:manage_roles", "user:create"],
    });
    const u = await createUser(admin, "People Manager");
    const c = await loginAs(t, u);
    const self = await c.patch<Err>(`/api/users/${u.id}`, { role_id: await roleIdOf(c, "Admin") });
    expect(self.status).toBe(403);
    const create = await c.post<Err>("/api/users", {
      email: `boss-${u.email}`,
      password: "long-enough-password",
      name: "Boss",
      role_id: await roleIdOf(c, "Admin"),
    });
    expect(create.status).toBe(403);
    const role = await c.post<Err>("/api/roles", { name: "Super", permissions: ["settings:manage"] });
    expect(role.status).toBe(403);
    // The tenant's Admin holds more than the manager: not theirs to change.
    const adminId = (await admin.get<{ principal: { id: string } }>("/api/auth/me")).body.principal.id;
    const takeover = await c.patch<Err>(`/api/users/${adminId}`, { password: "taken-over-password" });
    expect(takeover.status).toBe(403);
    // An Observer holds connection:read, which the manager does not: changing them is out of reach too
    // (a new password would hand the manager that permission).
    const obs = await createUser(admin, "Observer");
    expect((await c.patch<Err>(`/api/users/${obs.id}`, { name: "Renamed" })).status).toBe(403);
    // Within its own reach it works.
    await admin.post<Role>("/api/roles", { name: "Directory", permissions: ["user:read"] });
    const low = await createUser(admin, "Directory");
    expect(
      (await c.patch(`/api/users/${low.id}`, { role_id: await roleIdOf(c, "People Manager") })).status,
    ).toBe(200);
    const refused = (await unauthorizedOf(u.id)).filter((a) => a.action === "escalation_refused");
    expect(refused.length).toBe(5);
  });

  it("a user with UPDATE_USER but not MANAGE_ROLES cannot change roles (403, audited)", async () => {
    await admin.post<Role>("/api/roles", { name: "Editor", permissions: ["user:read", "user:update"] });
    const u = await createUser(admin, "Editor");
    const c = await loginAs(t, u);
    await admin.post<Role>("/api/roles", { name: "Listed", permissions: ["user:read"] });
    const low = await createUser(admin, "Listed");
    expect((await c.patch(`/api/users/${low.id}`, { name: "Renamed" })).status).toBe(200);
    const r = await c.patch<Err>(`/api/users/${low.id}`, { role_id: await roleIdOf(c, "Editor") });
    expect(r.status).toBe(403);
    const denied = await unauthorizedOf(u.id);
    expect(
      denied.some((a) => (a.metadata.missing as string[] | undefined)?.includes("user:manage_roles")),
    ).toBe(true);
  });

  it("editing a user of another tenant → 404", async () => {
    const other = await provision(await superAdmin());
    const victim = await createUser(await tenantClient(other), "Observer");
    const r = await admin.patch<Err>(`/api/users/${victim.id}`, { role_id: await roleIdOf(admin, "Admin") });
    expect(r.status).toBe(404);
  });
});
