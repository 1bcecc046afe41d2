// PostgreSQL unreachable (a real connection attempt to a closed port through the real relay, inside
// workerd): every route that needs the database answers 503 DATABASE_UNAVAILABLE with Retry-After — a
// stable, retryable code — never 500 INTERNAL_ERROR, and within a bounded time.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app.ts";

const DOWN = { ...env, DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none" };

async function call(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const started = Date.now();
  const res = await app.fetch(new Request(`http://localhost${path}`, init), DOWN, ctx);
  await waitOnExecutionContext(ctx);
  return { res, ms: Date.now() - started, body: (await res.json()) as { error?: { code: string } } };
}

describe("the database is down", () => {
  it("a login, a tenant-scoped read and a cookie-authenticated write answer 503 DATABASE_UNAVAILABLE", async () => {
    const json = { "content-type": "application/json" };
    for (const [path, init] of [
      ["/api/auth/login", { method: "POST", headers: json, body: '{"email":"a@b.co","password":"x"}' }],
      ["/api/users", { headers: { "x-tenant-id": "00000000-0000-4000-8000-000000000000" } }],
      ["/api/auth/me", { headers: { cookie: "sid=whatever" } }],
      ["/api/settings", { method: "PATCH", headers: { ...json, cookie: "sid=x" }, body: "{}" }],
    ] as const) {
      const { res, body, ms } = await call(path, init);
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(503);
      expect(body.error?.code).toBe("DATABASE_UNAVAILABLE");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(ms).toBeLessThan(15_000);
    }
  });

  it("health still reports the outage as before", async () => {
    const { res } = await call("/api/health");
    expect(res.status).toBe(503);
  });
});
