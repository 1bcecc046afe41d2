// GET /api/health against the real database, and the error model (bad JSON, validation, unknown route).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const base = "http://localhost";

describe("GET /api/health", () => {
  it("reports the database up", async () => {
    const res = await exports.default.fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", db: "up" });
    expect(typeof (body as { version: unknown }).version).toBe("string");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("error model", () => {
  it("answers 404 NOT_FOUND with the error body for an unknown route", async () => {
    const res = await exports.default.fetch(`${base}/api/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  });
});
