// The seed's caches through the real API, in one isolate: every request reads its user and role through the
// USER and ROLE caches (workers/users/cache.ts, workers/auth/roles.ts), so a write must be seen by the very
// next request — a role change of a user, a permission change of a custom role — never after the TTL.
// Tenant separation by construction is proven in workers/lib/tenant-cache.test.ts; here a second tenant's
// user with the same role name keeps its own permissions while the first tenant's role changes.
import { describe, expect, it } from "vitest";
import {
  Client,
  predefinedRoleId,
  provision,
  superAdmin,
  tenantClient,
  unique,
  userWithRole,
} from "../support/api.ts";

const CONNECTION = {
  hostname: "web-01.internal.example",
  username: "deploy",
  auth_method: "password",
  password: "s3cret-Pa55word-for-the-target",
};
const createConnection = (c: Client) => c.post("/api/connections", { ...CONNECTION, name: unique("web") });

async function userOfRole(admin: Client, t: { subdomain: string }, roleId: string) {
  const email = `${unique("cached").toLowerCase()}@example.com`;
  const r = await admin.post<{ id: string }>("/api/users", {
    email,
    password: "correct-horse-battery",
    name: "Cached User",
    role_id: roleId,
  });
  expect(r.status).toBe(201);
  const c = new Client(`${t.subdomain}.localhost`);
  expect((await c.login(email, "correct-horse-battery")).status).toBe(200);
  return { client: c, id: r.body.id };
}

describe("caches: a write is seen on the next read", () => {
  it("a user's role change takes effect on that user's next request", async () => {
    const t = await provision(await superAdmin());
    const admin = await tenantClient(t);
    const observer = await userWithRole(t, admin, "Observer");
    // Warm the caches: the observer's user row and role are read (and cached) by these requests.
    expect((await observer.client.get("/api/connections")).status).toBe(200);
    expect((await createConnection(observer.client)).status).toBe(403);
    const changed = await admin.patch(`/api/users/${observer.id}`, {
      role_id: await predefinedRoleId("Technician"),
    });
    expect(changed.status).toBe(200);
    expect((await createConnection(observer.client)).status).toBe(201);
  });

  it("a custom role's permission change takes effect at once; another tenant's same-named role is untouched", async () => {
    const root = await superAdmin();
    const [a, b] = [await provision(root), await provision(root)];
    const [adminA, adminB] = [await tenantClient(a), await tenantClient(b)];
    const name = unique("Auditor");
    const roleA = await adminA.post<{ id: string }>("/api/roles", { name, permissions: ["connection:read"] });
    const roleB = await adminB.post<{ id: string }>("/api/roles", { name, permissions: ["connection:read"] });
    expect([roleA.status, roleB.status]).toEqual([201, 201]);
    const userA = await userOfRole(adminA, a, roleA.body.id);
    const userB = await userOfRole(adminB, b, roleB.body.id);
    expect((await createConnection(userA.client)).status).toBe(403);
    expect((await createConnection(userB.client)).status).toBe(403);

    const grant = await adminA.patch(`/api/roles/${roleA.body.id}`, {
      permissions: ["connection:read", "connection:create"],
    });
    expect(grant.status).toBe(200);
    expect((await createConnection(userA.client)).status).toBe(201);
    expect((await createConnection(userB.client)).status).toBe(403);

    const revoke = await adminA.patch(`/api/roles/${roleA.body.id}`, { permissions: ["connection:read"] });
    expect(revoke.status).toBe(200);
    expect((await createConnection(userA.client)).status).toBe(403);
  });
});
