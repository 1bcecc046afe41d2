// Bad-input fuzz suite, driven by the API's OpenAPI document (`packages/client/openapi.json`): every
// operation in it — and a first test checks that every route mounted on the app (`app.routes`) has one, so
// nothing escapes — receives input generated from its own schema (`test/support/fuzz-inputs.ts`): path and
// query parameters and JSON body fields with wrong types, values outside their enums, ranges and lengths,
// NUL and lone surrogates, huge strings and numbers, deep nesting, unknown ids, tenant B's ids and tenant
// A's own, missing required fields and unknown ones, next to fitting values; and malformed JSON bodies. As
// an authenticated Admin of tenant A (a bearer token of theirs: no CSRF, and a fuzzed logout cannot end
// the run) and anonymously. Asserted for every request: an answer within REQUEST_TIMEOUT_MS, never a 5xx,
// and — when it failed — no row of tenant A's tables added, removed or left half-written. A bounded number
// of runs per operation keeps it to a few minutes on 2 cores (the file was the longest of the whole suite:
// six runs as the Admin and three anonymously — most anonymous requests end at the door — with a fresh
// seed each CI run, so the inputs tried accumulate over runs; a failure prints its seed to replay).
// Tenant A's rows are read once per request, after it: nothing else writes tenant A while this file runs
// (the `workers` files run one at a time, each with tenants of its own), so the state after one request is
// the state before the next; the state is read again after every success.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import apiDocument from "../../packages/client/openapi.json";
import { app } from "../../workers/app.ts";
import {
  createUser,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
} from "../support/api.ts";
import {
  badPercent,
  body,
  type Context,
  type Doc,
  encode,
  type FuzzRequest,
  type Operation,
  pathParam,
  query,
} from "../support/fuzz-inputs.ts";

const RUNS_AUTHENTICATED = 6;
const RUNS_ANONYMOUS = 3;
const REQUEST_TIMEOUT_MS = 20_000;

let a: ProvisionedTenant;
let b: ProvisionedTenant;
let token: string;
let idsOfB: string[] = [];
/** Tenant A's own ids: updates and deletes of real rows are fuzzed too (a failure must change nothing). */
let idsOfA: string[] = [];
let pool: ReturnType<typeof createDb>["pool"];
/** Tenant A's rows as the last request left them. */
let rowsOfA: Record<string, string>;
/** Status classes seen, per caller: the suite must really reach the handlers, not stop at the door. */
const seen = { admin: new Map<number, number>(), anonymous: new Map<number, number>() };

// Tenant A's rows, table by table (tenant tables by organization_id, control-plane ones by tenant_id).
const TENANT_TABLES = [
  "user",
  "role",
  "connection",
  "ssh_key",
  "policy",
  "blocked_command",
  "session",
  "command",
  "session_viewer",
  "session_recording",
];
const CONTROL_TABLES = ["auth.api_tokens", "command.agents", "command.agent_enrollment_tokens"];

async function snapshot(): Promise<Record<string, string>> {
  const parts = [
    ...TENANT_TABLES.map(
      (t) =>
        `(select count(*) || ':' || coalesce(max(xmin::text::bigint), 0) from "${t}" where organization_id = $1) as "${t}"`,
    ),
    // Counts only: the token's last_used_at is touched by any authenticated request.
    ...CONTROL_TABLES.map((t) => `(select count(*)::text from ${t} where tenant_id = $1) as "${t}"`),
    `(select settings::text from organization where id = $1) as "organization"`,
  ];
  const r = await pool.query<Record<string, string>>(`select ${parts.join(", ")}`, [a.id]);
  return r.rows[0] as Record<string, string>;
}

beforeAll(async () => {
  configureNeon(env.NEON_WS_PROXY);
  pool = createDb(inject("databaseUrl")).pool;
  const root = await superAdmin();
  a = await provision(root);
  b = await provision(root);
  const adminA = await tenantClient(a);
  const made = await adminA.post<{ token: string }>("/api/auth/tokens", { name: "fuzz" });
  if (made.status !== 201) throw new Error(`token: ${made.status}`);
  token = made.body.token;
  const me = await adminA.get<{ principal: { id: string } }>("/api/auth/me");
  const connA = await adminA.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    hostname: "a.example.com",
    username: "root",
    auth_method: "password",
    password: "pw-of-a",
  });
  idsOfA = [a.id, me.body.principal.id, connA.body.id];
  const adminB = await tenantClient(b);
  const userB = await createUser(adminB, "Technician");
  const connB = await adminB.post<{ id: string }>("/api/connections", {
    name: unique("conn"),
    hostname: "b.example.com",
    username: "root",
    auth_method: "password",
    password: "pw-of-b",
  });
  idsOfB = [b.id, userB.id, connB.body.id];
  rowsOfA = await snapshot();
}, 120_000);

afterAll(async () => {
  await pool?.end();
});

// ——— requests, from the document ———

const doc = apiDocument as unknown as Doc;
const METHODS = ["get", "post", "put", "patch", "delete"];
const toOpenApi = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** Every operation of the document, the unit of fuzzing. */
function operations(): { method: string; path: string; o: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, o]) => ({ method: m.toUpperCase(), path, o })),
  );
}

function mounted(): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue;
    out.add(`${r.method} ${toOpenApi(r.path)}`);
  }
  return [...out].sort();
}

function requestFor(o: Operation): fc.Arbitrary<FuzzRequest & { rawQuery?: string; contentType: string }> {
  const params = o.parameters ?? [];
  const inPath = params.filter((p) => p.in === "path");
  const inQuery = params.filter((p) => p.in === "query");
  // One request in three is poisoned (NUL, lone surrogates, broken percent-encoding somewhere).
  return fc.constantFrom(false, false, true).chain((poisoned) => {
    const ctx: Context = { doc, idsOfA, idsOfB, poisoned };
    return fc.record({
      path: fc.record(Object.fromEntries(inPath.map((p) => [p.name, pathParam(ctx, p)]))),
      query: query(ctx, inQuery),
      rawQuery: poisoned ? fc.option(badPercent, { nil: undefined, freq: 2 }) : fc.constant(undefined),
      body: fc.option(body(ctx, o), { nil: undefined, freq: 4 }),
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "text/plain",
        "application/merge-patch+json",
      ),
    });
  });
}

async function send(method: string, url: string, init: { headers: Record<string, string>; body?: string }) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((res) => {
    timer = setTimeout(() => res("timeout"), REQUEST_TIMEOUT_MS);
  });
  try {
    const res = await Promise.race([
      exports.default.fetch(url, {
        method,
        headers: init.headers,
        body: method === "GET" ? undefined : init.body,
      }),
      timeout,
    ]);
    if (res === "timeout") return { status: -1, text: "no answer" };
    return { status: res.status, text: await res.text() };
  } finally {
    clearTimeout(timer);
  }
}

describe("bad-input fuzz over every operation of the API document", () => {
  const ops = operations();

  it("documents every mounted route, so none escapes the fuzzing", () => {
    const documented = new Set(ops.map(({ method, path }) => `${method} ${path}`));
    expect(mounted().filter((k) => !documented.has(k))).toEqual([]);
    expect(ops.length).toBeGreaterThan(50);
  });

  for (const { method, path, o } of ops) {
    const queryName = o.parameters?.find((p) => p.in === "query")?.name ?? "q";
    for (const who of ["admin", "anonymous"] as const) {
      it(`${method} ${path} (${who})`, async () => {
        await fc.assert(
          fc.asyncProperty(requestFor(o), async (r) => {
            const filled = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => r.path[name] ?? "x");
            const qs = r.query.map(([k, v]) => `${encode(k)}=${encode(v)}`);
            if (r.rawQuery) qs.push(`${queryName}=${r.rawQuery}`);
            const url = `http://${a.subdomain}.localhost${filled}${qs.length ? `?${qs.join("&")}` : ""}`;
            const headers: Record<string, string> = { "cf-connecting-ip": "198.51.100.77" };
            if (who === "admin") headers.authorization = `Bearer ${token}`;
            if (r.body !== undefined) headers["content-type"] = r.contentType;
            const res = await send(method, url, { headers, body: r.body });
            const detail = `${method} ${url.slice(0, 300)} body=${(r.body ?? "").slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
            seen[who].set(res.status, (seen[who].get(res.status) ?? 0) + 1);
            expect(res.status, `no answer within ${REQUEST_TIMEOUT_MS} ms: ${detail}`).not.toBe(-1);
            expect(res.status, detail).toBeLessThan(500);
            const before = rowsOfA;
            rowsOfA = await snapshot();
            if (res.status >= 400)
              expect(rowsOfA, `rows changed by a failed request: ${detail}`).toEqual(before);
          }),
          { numRuns: who === "admin" ? RUNS_AUTHENTICATED : RUNS_ANONYMOUS, endOnFailure: true },
        );
      }, 120_000);
    }
  }

  it("reached the handlers: the Admin got successes, validation errors and not-founds", () => {
    console.log(
      `fuzz statuses: ${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([k, m]) => [k, Object.fromEntries([...m].sort((x, y) => x[0] - y[0]))])))}`,
    );
    for (const status of [200, 400, 404]) expect(seen.admin.get(status) ?? 0).toBeGreaterThan(0);
    expect(seen.anonymous.get(401) ?? 0).toBeGreaterThan(0);
  });
});
