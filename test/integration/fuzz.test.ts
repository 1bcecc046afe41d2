// Bad-input fuzz suite: every route mounted on the Hono app — enumerated from `app.routes`, so a new route is
// covered automatically — receives generated bad input (fast-check): malformed JSON, wrong types, NUL and
// lone surrogates, huge strings and numbers, deep nesting, unknown ids and another tenant's ids, in the
// path, the query string and the body (ids of tenant A's own rows too); as an authenticated Admin of tenant A (a bearer token of theirs:
// no CSRF, and a fuzzed logout cannot end the run) and anonymously. Asserted for every request: an answer
// within REQUEST_TIMEOUT_MS, never a 5xx, and — when it failed — no row of tenant A's tables added,
// removed or left half-written. A bounded number of runs per route keeps it to a few minutes on 2 cores.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { app } from "../../workers/app.ts";
import {
  createUser,
  type ProvisionedTenant,
  provision,
  superAdmin,
  tenantClient,
  unique,
} from "../support/api.ts";

const RUNS_AUTHENTICATED = 10;
const RUNS_ANONYMOUS = Math.max(1, Math.floor(RUNS_AUTHENTICATED / 2));
const REQUEST_TIMEOUT_MS = 20_000;

let a: ProvisionedTenant;
let b: ProvisionedTenant;
let token: string;
let idsOfB: string[] = [];
/** Tenant A's own ids: updates and deletes of real rows are fuzzed too (a failure must change nothing). */
let idsOfA: string[] = [];
let pool: ReturnType<typeof createDb>["pool"];
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
}, 120_000);

afterAll(async () => {
  await pool?.end();
});

// ——— generators ———

// Characters the database cannot store: most requests of a run carry none (so they reach the handlers'
// own validation), the others carry some (so the edge's check is exercised everywhere).
const poison = fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udc00y");
const odd = fc.constantFrom(
  "x".repeat(300_000 / 4),
  "9".repeat(400),
  "1e400",
  "-1",
  "NaN",
  "' or 1=1--",
  "../../etc/passwd",
  "%",
  "",
);
const poisonedString = fc.oneof(
  poison,
  fc.string({
    unit: fc.oneof(
      fc.constantFrom("\u0000", "\ud800", "\udfff"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 20,
  }),
);
const cleanString = fc.oneof(
  { arbitrary: odd, weight: 2 },
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }).filter((x) => !x.includes("\u0000")),
);
const weirdNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 2 ** 31, -(2 ** 31) - 1),
  fc.integer(),
  fc.double({ noNaN: true }),
);
const FIELD_NAMES = [
  "name",
  "email",
  "password",
  "description",
  "bio",
  "command",
  "reason",
  "contactName",
  "companyName",
  "hostname",
  "username",
  "port",
  "tags",
  "settings",
  "features",
  "permissions",
  "role_id",
  "agent_id",
  "private_key",
  "passphrase",
  "code",
  "current_password",
  "new_password",
  "recovery_code",
  "expires_in_days",
  "timeout_ms",
  "expires_in_minutes",
  "blocked_commands",
  "pattern",
  "tier",
  "is_active",
];
function generators(poisoned: boolean) {
  const weirdString = poisoned ? fc.oneof(cleanString, poisonedString) : cleanString;
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      weirdString,
      weirdNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), weirdString), tie("v"), { maxKeys: 4 }),
    ),
  })).v;
  const deep = fc.integer({ min: 40, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
  const rawBody = fc.oneof(
    fc.constantFrom(
      '{"a":',
      "{",
      "[1,",
      "nul",
      '{"name": "x"',
      ...(poisoned ? ["\u0000", '{"name":"\\ud800"}', '{"a":"\\u0000"}'] : []),
    ),
    deep,
    deep.map((d) => `{"settings":${d}}`),
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
    value.map((v) => JSON.stringify(v) ?? "null"),
  );
  const QUERY_NAMES = [
    "page",
    "page_size",
    "pageSize",
    "page_size",
    "search",
    "q",
    "tag",
    "type",
    "status",
    "from",
    "to",
    "table",
    "format",
    "limit",
    "cursor",
    "tenantId",
    "tenant_id",
    "agent_id",
    "hours",
    "page_size",
    "user",
    "category",
    "active",
    "role",
    "tier",
  ];
  const query = fc.dictionary(
    fc.constantFrom(...QUERY_NAMES),
    fc.oneof(weirdString, weirdNumber.map(String)),
    {
      maxKeys: 3,
    },
  );
  return { weirdString, rawBody, query };
}
const badPercent = fc.constantFrom("%00", "%ED%A0%80", "%FF", "%E0%A4%A", "a%00b");

function encode(v: string): string {
  // Lone surrogates cannot go through encodeURIComponent: send their UTF-8-looking escapes instead.
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
}

function requestFor(path: string) {
  const params = path.match(/:[A-Za-z_]+/g) ?? [];
  // One request in three is poisoned (NUL, lone surrogates, broken percent-encoding somewhere).
  return fc.constantFrom(false, false, true).chain((poisoned) => {
    const { weirdString, rawBody, query } = generators(poisoned);
    const id = fc.oneof(
      fc.constantFrom(...idsOfB),
      fc.constantFrom(...idsOfA),
      fc.uuid(),
      weirdString.map(encode),
      ...(poisoned ? [badPercent] : []),
    );
    return fc.record({
      ids: fc.array(id, { minLength: params.length, maxLength: params.length }),
      query,
      rawQuery: poisoned ? fc.option(badPercent, { nil: undefined, freq: 2 }) : fc.constant(undefined),
      body: fc.option(rawBody, { nil: undefined, freq: 4 }),
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "text/plain",
        "application/merge-patch+json",
      ),
    });
  });
}

function mounted(): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
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

describe("bad-input fuzz over every mounted route", () => {
  const routes = mounted();

  it("enumerates the app's routes", () => {
    expect(routes.length).toBeGreaterThan(50);
  });

  for (const { method, path } of routes) {
    for (const who of ["admin", "anonymous"] as const) {
      it(`${method} ${path} (${who})`, async () => {
        await fc.assert(
          fc.asyncProperty(requestFor(path), async (r) => {
            let i = 0;
            const filled = path.replace(/:[A-Za-z_]+/g, () => r.ids[i++] ?? "x");
            const qs = Object.entries(r.query).map(([k, v]) => `${k}=${encode(v)}`);
            if (r.rawQuery) qs.push(`search=${r.rawQuery}`);
            const url = `http://${a.subdomain}.localhost${filled}${qs.length ? `?${qs.join("&")}` : ""}`;
            const headers: Record<string, string> = { "cf-connecting-ip": "198.51.100.77" };
            if (who === "admin") headers.authorization = `Bearer ${token}`;
            if (r.body !== undefined) headers["content-type"] = r.contentType;
            const before = await snapshot();
            const res = await send(method, url, { headers, body: r.body });
            const detail = `${method} ${url.slice(0, 300)} body=${(r.body ?? "").slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
            seen[who].set(res.status, (seen[who].get(res.status) ?? 0) + 1);
            expect(res.status, `no answer within ${REQUEST_TIMEOUT_MS} ms: ${detail}`).not.toBe(-1);
            expect(res.status, detail).toBeLessThan(500);
            if (res.status >= 400)
              expect(await snapshot(), `rows changed by a failed request: ${detail}`).toEqual(before);
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
