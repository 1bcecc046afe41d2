// Characters PostgreSQL cannot store (NUL, lone UTF-16 surrogates, invalid UTF-8 percent-encoding), refused
// at the edge in one place — JSON bodies (values and keys, at any depth), query strings and path segments —
// with 400 VALIDATION_ERROR naming the field; and nothing half-written when a request fails.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  type ProvisionedTenant,
  provision,
  sqlQuery,
  superAdmin,
  tenantClient,
} from "../support/api.ts";

type Err = {
  error: { code: string; message: string; details?: { fields: { path: string; message: string }[] } };
};

let t: ProvisionedTenant;
let admin: Client;

beforeAll(async () => {
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
});

function expectRefused(r: { status: number; body: Err }, path: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error.code).toBe("VALIDATION_ERROR");
  expect(r.body.error.details?.fields.map((f) => f.path)).toContain(path);
}

describe("NUL and other characters the database cannot store", () => {
  it("a NUL in a JSON text field → 400 naming the field (was 500)", async () => {
    expectRefused(await admin.patch<Err>("/api/auth/me", { bio: "a\u0000b" }), "bio");
    const nested = await admin.patch<Err>("/api/settings", { settings: { sso_provider: "ok\u0000ta" } });
    expectRefused(nested, "settings.sso_provider");
    const inArray = await admin.post<Err>("/api/connections", {
      name: "x",
      hostname: "example.com",
      username: "root",
      auth_method: "password",
      password: "pw",
      tags: ["fine", "bad\u0000"],
    });
    expectRefused(inArray, "tags.1");
  });

  it("a NUL in a JSON key → 400 naming the key", async () => {
    const r = await admin.patch<Err>("/api/settings", { settings: { "a\u0000b": 1 } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_ERROR");
    expect(r.body.error.details?.fields[0]?.path).toBe("settings.a\\u0000b");
  });

  it("a lone surrogate → 400 naming the field", async () => {
    const r = await admin.call<Err>("PATCH", "/api/auth/me", { rawBody: '{"name":"ab\\ud800c"}' });
    expectRefused(r, "name");
    const low = await admin.call<Err>("PATCH", "/api/auth/me", { rawBody: '{"bio":"\\udc00"}' });
    expectRefused(low, "bio");
    // A well-formed pair is a real character and is accepted.
    expect((await admin.patch("/api/auth/me", { bio: "rocket 🚀" })).status).toBe(200);
  });

  it("invalid UTF-8 in a body → 400 (not silently replaced by U+FFFD)", async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"bio":"a'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}'),
    ]);
    const res = await exports.default.fetch(`http://${admin.host}/api/auth/me`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        cookie: `sid=${admin.cookie}`,
        "x-csrf-token": admin.csrf ?? "",
        "cf-connecting-ip": admin.ip,
      },
      body: bytes,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Err).error.code).toBe("VALIDATION_ERROR");
  });

  it("a NUL, a lone surrogate or broken percent-encoding in a query string → 400 naming the parameter", async () => {
    expectRefused(await admin.get<Err>("/api/users?search=a%00b"), "search");
    expectRefused(await admin.get<Err>("/api/connections?search=%00"), "search");
    expectRefused(await admin.get<Err>("/api/audit?type=%ED%A0%80"), "type");
    expectRefused(await admin.get<Err>("/api/users?search=%FF"), "search");
    expectRefused(await admin.get<Err>("/api/users?se%00arch=x"), "se\\u0000arch");
  });

  it("a NUL in a path segment → 400", async () => {
    expectRefused(await admin.get<Err>("/api/users/abc%00def"), "path");
  });

  it("an anonymous caller gets the same answer (checked before authentication)", async () => {
    const anon = new Client(`${t.subdomain}.localhost`);
    expectRefused(
      await anon.post<Err>("/api/auth/login", { email: "a@b.co", password: "x\u0000" }),
      "password",
    );
  });

  it("an empty profile change → 400, not 500 (found by the fuzz suite)", async () => {
    const r = await admin.patch<Err>("/api/auth/me", {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("deep nesting → 400, not a stack overflow", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const r = await admin.call<Err>("PATCH", "/api/auth/me", { rawBody: `{"bio":${deep}}` });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_ERROR");
  });
});

describe("exec: validated before anything is written", () => {
  it("a NUL in the command → 400 and no exec-only session row", async () => {
    const [agent] = await sqlQuery<{ id: string }>(
      `insert into command.agents (tenant_id, name, public_key) values ($1, 'bad-input', 'AAAA') returning id`,
      [t.id],
    );
    const conn = await admin.post<{ id: string }>("/api/connections", {
      name: "exec-target",
      hostname: "127.0.0.1",
      username: "root",
      auth_method: "password",
      password: "pw",
      agent_id: agent?.id,
    });
    expect(conn.status, JSON.stringify(conn.body)).toBe(201);
    // A blocking rule: the exec route writes its session and command rows without reaching the agent.
    const policy = await admin.post("/api/policies", {
      name: "no rm",
      blocked_commands: [{ name: "rm", pattern: "rm", pattern_type: "contains" }],
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const count = async () =>
      Number(
        (
          await sqlQuery<{ n: string }>(`select count(*) n from "session" where organization_id = $1`, [t.id])
        )[0]?.n,
      );
    const before = await count();
    const r = await admin.post<Err>(`/api/connections/${conn.body.id}/exec`, { command: "rm -rf /\u0000" });
    expectRefused(r, "command");
    expect(await count()).toBe(before);
  });
});
