// Health reports the database down with 503 when PostgreSQL cannot be reached (real connection attempt to a
// closed port through the real relay, inside workerd).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app.ts";

describe("GET /api/health with the database unreachable", () => {
  it("answers 503 with db down", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://localhost/api/health"),
      { ...env, DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "degraded",
      db: "down",
      error: { code: "DATABASE_UNAVAILABLE" },
    });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses to serve with a master key under 32 characters", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://localhost/api/health"),
      { ...env, DB_ENCRYPTION_KEY: "short" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe("CONFIG_INVALID");
    expect(body.error.details).toContain("DB_ENCRYPTION_KEY");
  });
});
