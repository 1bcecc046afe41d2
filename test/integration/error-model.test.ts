// The error model on real routes: malformed JSON, wrong types, wrong media type, oversized bodies,
// unknown routes and ids — each a clear 4xx with a stable code, never a 500.
import { describe, expect, it } from "vitest";
import { Client, superAdmin } from "../support/api.ts";

type Err = {
  error: { code: string; message: string; request_id: string; details?: { fields: { path: string }[] } };
};

describe("error model", () => {
  it("malformed JSON → 400 INVALID_JSON", async () => {
    const r = await new Client().call<Err>("POST", "/api/auth/login", { rawBody: '{"email": "a@b.c", ' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_JSON");
    expect(r.body.error.request_id).toBe(r.headers.get("x-request-id"));
  });

  it("failing validation → 400 VALIDATION_ERROR naming the fields", async () => {
    const r = await new Client().post<Err>("/api/auth/login", { email: 42, password: ["x"] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_ERROR");
    expect(r.body.error.details?.fields.map((f) => f.path).sort()).toEqual(["email", "password"]);
  });

  it("a body that is not JSON → 415", async () => {
    const r = await new Client().call<Err>("POST", "/api/auth/login", {
      rawBody: "email=a",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("an oversized body → 413 PAYLOAD_TOO_LARGE", async () => {
    const r = await new Client().call<Err>("POST", "/api/auth/login", {
      rawBody: JSON.stringify({ email: "x".repeat(300_000) }),
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("unknown route → 404 NOT_FOUND; an id that is not a UUID → 404, not 500", async () => {
    const admin = await superAdmin();
    expect((await admin.get<Err>("/api/no/such/route")).body.error.code).toBe("NOT_FOUND");
    const r = await admin.get<Err>("/api/admin/tenants/'%20or%201=1--");
    expect(r.status).toBe(404);
    const r2 = await admin.get<Err>("/api/admin/tenants/00000000-0000-4000-8000-000000000000");
    expect(r2.status).toBe(404);
  });

  it("a garbage bearer token → 401, a malformed Authorization header → 401", async () => {
    const c = new Client();
    c.bearer = "nst_garbage";
    expect((await c.get<Err>("/api/admin/tenants")).status).toBe(401);
    const r = await new Client().get<Err>("/api/admin/tenants", { headers: { authorization: "Basic abc" } });
    expect(r.status).toBe(401);
  });
});
