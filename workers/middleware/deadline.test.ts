import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env.ts";
import { handleError } from "../errors.ts";
import { deadline, deadlineFor, REQUEST_DEADLINE_MS } from "./deadline.ts";

describe("request deadline", () => {
  it("answers 503 REQUEST_TIMEOUT with Retry-After when a handler never finishes", async () => {
    const app = new Hono<AppEnv>();
    app.use(
      "*",
      deadline(() => 50),
    );
    app.get("/stuck", () => new Promise<Response>(() => {}));
    app.get("/quick", (c) => c.json({ ok: true }));
    app.onError(handleError);
    const started = Date.now();
    const res = await app.request("/stuck");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("REQUEST_TIMEOUT");
    expect((await app.request("/quick")).status).toBe(200);
  });

  it("gives the routes that legitimately wait their own, longer bound", () => {
    expect(deadlineFor("GET", "/api/users")).toBe(REQUEST_DEADLINE_MS);
    expect(deadlineFor("POST", "/api/connections/abc/exec")).toBeGreaterThan(300_000);
    expect(deadlineFor("POST", "/api/admin/tenants/provision")).toBe(120_000);
    expect(deadlineFor("GET", "/api/connections/abc/exec")).toBe(REQUEST_DEADLINE_MS);
  });
});
