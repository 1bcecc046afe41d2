// The API contract: GET /api/openapi.json documents every route mounted on the app (enumerated from
// `app.routes`, so a new route without op() fails here), every operation declares a successful response
// and the error body, and the reference page loads nothing from another origin. That every response
// matches its declaration is checked by op() itself outside production (500 CONTRACT_VIOLATION), so every
// integration and e2e test exercises the contract too; the last case proves that check bites.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import committed from "../../packages/client/openapi.json";
import { app } from "../../workers/app.ts";
import { op } from "../../workers/contract/op.ts";
import { Ok } from "../../workers/contract/schemas.ts";
import type { AppEnv } from "../../workers/env.ts";
import { Client } from "../support/api.ts";

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  tags?: string[];
  summary?: string;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

const toOpenApi = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

function mounted(): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue;
    out.add(`${r.method.toLowerCase()} ${toOpenApi(r.path)}`);
  }
  return [...out].sort();
}

describe("the OpenAPI contract", () => {
  const client = new Client();

  it("documents every mounted route, each with a success response and the error body", async () => {
    const r = await client.call<Doc>("GET", "/api/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(r.body.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method} ${path}`);
    }
    const missing = mounted().filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
    for (const [path, ops] of Object.entries(r.body.paths)) {
      for (const [method, o] of Object.entries(ops)) {
        const statuses = Object.keys(o.responses ?? {});
        expect(
          statuses.some((s) => /^[123]\d\d$/.test(s)),
          `${method} ${path} declares no success`,
        ).toBe(true);
        expect(
          o.responses?.default?.content?.["application/json"]?.schema,
          `${method} ${path} error body`,
        ).toBeTruthy();
        expect(o.summary, `${method} ${path} summary`).toBeTruthy();
      }
    }
  });

  it("is the document the typed client was generated from (npm run openapi regenerates both)", async () => {
    const r = await client.call<Doc>("GET", "/api/openapi.json");
    expect(r.body).toEqual(committed);
  });

  it("serves a self-hosted reference page", async () => {
    const r = await client.call("GET", "/api/docs");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    const html = r.body as unknown as string;
    expect(html).toContain("/api/openapi.json");
    expect(html).not.toMatch(/https?:\/\//);
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("turns a response that breaks its declaration into 500 CONTRACT_VIOLATION outside production", async () => {
    const probe = new Hono<AppEnv>()
      .get(
        "/ok",
        op({ tag: "T", summary: "s", access: "public", responses: { 200: z.object({ a: z.number() }) } }),
        (c) => c.json({ a: 1 }),
      )
      .get(
        "/bad",
        op({ tag: "T", summary: "s", access: "public", responses: { 200: z.object({ a: z.number() }) } }),
        (c) => c.json({ a: "one" }),
      )
      .get("/undeclared", op({ tag: "T", summary: "s", access: "public", responses: { 200: Ok } }), (c) =>
        c.json({ ok: true }, 202),
      );
    const call = async (path: string, ENVIRONMENT: string) => {
      const res = await probe.request(path, {}, { ENVIRONMENT } as unknown as AppEnv["Bindings"]);
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect((await call("/ok", "test")).status).toBe(200);
    const bad = await call("/bad", "test");
    expect(bad.status).toBe(500);
    expect(bad.body.error?.code).toBe("CONTRACT_VIOLATION");
    expect((await call("/undeclared", "development")).body.error?.code).toBe("CONTRACT_VIOLATION");
    expect((await call("/bad", "production")).status).toBe(200);
  });
});
