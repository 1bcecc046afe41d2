// API tokens: shown once, stored hashed, a subset of the owner's permissions (and never more than the
// owner holds now), revocable, bound to their tenant, Authorization: Bearer.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  roleIdOf,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = { error: { code: string; message: string } };
type Token = { id: string; token: string; prefix: string; permissions: string[] };

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

function bearer(token: string, host = `${t.subdomain}.localhost`): Client {
  const c = new Client(host);
  c.bearer = token;
  return c;
}

describe("creating and listing", () => {
  it("shows the token once; the database holds only its SHA-256; the list never shows it", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "ci", expires_in_days: 30 });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^nst_[A-Za-z0-9_-]{40,}$/);
    expect(made.body.prefix).toBe(made.body.token.slice(0, 8));
    const [row] = await sqlQuery<{ token_hash: string; tenant_id: string; expires_at: string }>(
      `select token_hash, tenant_id, expires_at from auth.api_tokens where id = $1`,
      [made.body.id],
    );
    expect(row?.token_hash).not.toBe(made.body.token);
    expect(row?.token_hash).not.toContain(made.body.token.slice(4));
    expect(row?.token_hash).toBe(await sha256Hex(made.body.token));
    expect(row?.tenant_id).toBe(t.id);
    const list = await admin.get<{ data: Record<string, unknown>[] }>("/api/auth/tokens");
    expect(list.status).toBe(200);
    expect(list.body.data.map((x) => x.id)).toContain(made.body.id);
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);
    expect(JSON.stringify(list.body)).not.toContain(row?.token_hash as string);
  });

  it("authenticates with Authorization: Bearer and records its last use", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "reader" });
    const c = bearer(made.body.token);
    const me = await c.get<{ principal: { via: string; token_id: string } }>("/api/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.principal.via).toBe("bearer");
    expect(me.body.principal.token_id).toBe(made.body.id);
    const [row] = await sqlQuery(`select last_used_at from auth.api_tokens where id = $1`, [made.body.id]);
    expect(row?.last_used_at).not.toBeNull();
    const malformed = new Client(`${t.subdomain}.localhost`);
    expect((await malformed.get("/api/users", { headers: { authorization: "Bearer" } })).status).toBe(401);
  });

  it("refuses unknown permissions and permissions the owner does not hold", async () => {
    const tech = await loginAs(t, await createUser(admin, "Technician"));
    const unknown = await tech.post<Err>("/api/auth/tokens", { name: "x", permissions: ["root:all"] });
    expect(unknown.status).toBe(400);
    const beyond = await tech.post<Err>("/api/auth/tokens", { name: "x", permissions: ["user:create"] });
    expect(beyond.status).toBe(403);
    const fine = await tech.post<Token>("/api/auth/tokens", { name: "x", permissions: ["user:read"] });
    expect(fine.status).toBe(201);
    expect(fine.body.permissions).toEqual(["user:read"]);
  });

  it("a token cannot mint tokens", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "minter" });
    const r = await bearer(made.body.token).post<Err>("/api/auth/tokens", { name: "child" });
    expect(r.status).toBe(403);
  });

  it("tenants without the api-tokens feature cannot create tokens", async () => {
    const free = await provision(await superAdmin(), { tier: "free" });
    const a = await tenantClient(free);
    const r = await a.post<Err>("/api/auth/tokens", { name: "nope" });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FEATURE_DISABLED");
  });
});

describe("permissions carried by a token", () => {
  it("a token carries only its subset of the owner's permissions", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", {
      name: "read-only",
      permissions: ["user:read"],
    });
    const c = bearer(made.body.token);
    expect((await c.get("/api/users")).status).toBe(200);
    const create = await c.post<Err>("/api/users", {
      email: "never@example.com",
      password: "long-enough-password",
      name: "Never",
      role_id: await roleIdOf(admin, "Observer"),
    });
    expect(create.status).toBe(403);
    expect((await c.get("/api/audit")).status).toBe(403);
    expect((await c.patch("/api/settings", { name: "Hijacked" })).status).toBe(403);
    const me = await c.get<{ principal: { permissions: string[] } }>("/api/auth/me");
    expect(me.body.principal.permissions).toEqual(["user:read"]);
  });

  it("never more than the owner holds now: a demoted owner's token loses what the new role lacks", async () => {
    const other = await createUser(admin, "Admin");
    const c = await loginAs(t, other);
    const made = await c.post<Token>("/api/auth/tokens", { name: "admin-token" });
    const tok = bearer(made.body.token);
    expect((await tok.get("/api/audit/export?format=ndjson")).status).toBe(200);
    expect(
      (await admin.patch(`/api/users/${other.id}`, { role_id: await roleIdOf(admin, "Observer") })).status,
    ).toBe(200);
    expect((await tok.get("/api/audit/export?format=ndjson")).status).toBe(403);
    expect((await tok.get("/api/users")).status).toBe(200);
  });

  it("the token of a deleted owner is refused", async () => {
    const u = await createUser(admin, "Technician");
    const made = await (await loginAs(t, u)).post<Token>("/api/auth/tokens", { name: "orphan" });
    expect((await bearer(made.body.token).get("/api/users")).status).toBe(200);
    expect((await admin.delete(`/api/users/${u.id}`)).status).toBe(200);
    expect((await bearer(made.body.token).get("/api/users")).status).toBe(401);
    const [row] = await sqlQuery(`select revoked_at from auth.api_tokens where id = $1`, [made.body.id]);
    expect(row?.revoked_at).not.toBeNull();
  });
});

describe("revocation and tenant binding", () => {
  it("revoked → 401 at once; revoking twice or someone else's token → 404", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "short-lived" });
    const c = bearer(made.body.token);
    expect((await c.get("/api/users")).status).toBe(200);
    const stranger = await loginAs(t, await createUser(admin, "Admin"));
    expect((await stranger.delete(`/api/auth/tokens/${made.body.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/auth/tokens/${made.body.id}`)).status).toBe(200);
    const r = await c.get<Err>("/api/users");
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("UNAUTHORIZED");
    expect((await admin.delete(`/api/auth/tokens/${made.body.id}`)).status).toBe(404);
    const list = await admin.get<{ data: { id: string; revoked_at: string | null }[] }>("/api/auth/tokens");
    expect(list.body.data.find((x) => x.id === made.body.id)?.revoked_at).not.toBeNull();
  });

  it("an expired token is refused", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "expiring", expires_in_days: 1 });
    await sqlQuery(`update auth.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [
      made.body.id,
    ]);
    expect((await bearer(made.body.token).get("/api/users")).status).toBe(401);
  });

  it("a token of tenant A used against tenant B → 401; on the platform host it stays in tenant A", async () => {
    const b = await provision(await superAdmin());
    const made = await admin.post<Token>("/api/auth/tokens", { name: "tenant-bound" });
    const onB = bearer(made.body.token, `${b.subdomain}.localhost`);
    const r = await onB.get<Err>("/api/users");
    expect(r.status).toBe(401);
    const trailB = await (await tenantClient(b)).get<{
      data: { action: string; metadata: { via: string } }[];
    }>("/api/audit?type=security.unauthorized");
    expect(trailB.body.data.map((a) => [a.action, a.metadata.via])).toEqual([
      ["foreign_credential", "bearer"],
    ]);
    const byHeader = await bearer(made.body.token, "localhost").get("/api/users", {
      headers: { "x-tenant-id": b.id },
    });
    expect(byHeader.status).toBe(401);
    const platform = await bearer(made.body.token, "localhost").get<{ data: { organization_id: string }[] }>(
      "/api/users",
    );
    expect(platform.status).toBe(200);
    expect(platform.body.data.every((u) => u.organization_id === t.id)).toBe(true);
  });

  it("creating and revoking are audited", async () => {
    const made = await admin.post<Token>("/api/auth/tokens", { name: "audited" });
    await admin.delete(`/api/auth/tokens/${made.body.id}`);
    const a = await admin.get<{ data: { event_type: string; metadata: { tokenId?: string } }[] }>(
      "/api/audit?type=api_token.created,api_token.revoked&page_size=200",
    );
    const mine = a.body.data.filter((x) => x.metadata.tokenId === made.body.id).map((x) => x.event_type);
    expect(mine.sort()).toEqual(["api_token.created", "api_token.revoked"]);
  });
});
