// @nostromo/client's HTTP client against the real Worker (its fetch is the Worker's own): typed calls, the
// error model thrown as ApiError, and the login cookie with its CSRF token kept as the API expects.
import { exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { ApiError, createClient } from "../../packages/client/src/index.ts";

const worker = (request: Request) => exports.default.fetch(request);
const client = (opts: { tenant?: string } = {}) =>
  createClient({ baseUrl: "http://localhost", fetch: worker, ...opts });

async function thrown(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("@nostromo/client HTTP client", () => {
  it("makes typed calls: GET /api/health", async () => {
    const { data } = await client().GET("/api/health");
    expect(data?.status).toBe("ok");
    expect(data?.db).toBe("up");
  });

  it("throws the error model as ApiError with its code and request id", async () => {
    // A path the placeholder document does not describe yet: called through an untyped view.
    const c = client({ tenant: "no-such-tenant" });
    const get = c.GET as unknown as (path: string) => Promise<unknown>;
    const err = await thrown(get("/api/tenant/info"));
    expect(err.status).toBe(404);
    expect(err.code).toBe("TENANT_NOT_FOUND");
    expect(err.requestId).toBeTruthy();
  });

  it("a failed login is INVALID_CREDENTIALS; a good one keeps the cookie and the CSRF token", async () => {
    const { email, password } = inject("superAdmin");
    const c = client();
    expect((await thrown(c.login(email, "wrong-password"))).code).toBe("INVALID_CREDENTIALS");
    await c.login(email, password);
    expect(c.credentials.sid).toBeTruthy();
    expect(c.credentials.csrf).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sends the CSRF token with cookie-authenticated writes; without it the API refuses (CSRF_FAILED)", async () => {
    const { email, password } = inject("superAdmin");
    const c = client();
    await c.login(email, password);
    const csrf = c.credentials.csrf;
    c.credentials.csrf = null;
    const post = c.POST as unknown as (path: string, init: object) => Promise<{ response: Response }>;
    expect((await thrown(post("/api/auth/logout", {}))).code).toBe("CSRF_FAILED");
    c.credentials.csrf = csrf;
    const { response } = await post("/api/auth/logout", {});
    expect(response.ok).toBe(true);
  });
});
