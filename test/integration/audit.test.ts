// /api/audit: filters (type, category, user, status, from/to), keyset cursor pagination, and the streamed
// CSV / NDJSON export (batches across identical timestamps, escaping, formula guard, audited, EXPORT_AUDIT).
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  Client,
  createUser,
  loginAs,
  type ProvisionedTenant,
  provision,
  sqlQuery,
  superAdmin,
  type TestUser,
  tenantClient,
  uniqueIp,
} from "../support/api.ts";

type Err = { error: { code: string; details?: { fields?: { path: string }[] } } };
type Row = {
  id: string;
  timestamp: string;
  event_type: string;
  event_category: string;
  action: string;
  status: string;
  user_id: string | null;
  user_email: string | null;
  ip_address: string;
  user_agent: string;
  metadata: Record<string, unknown>;
};
type Page = { data: Row[]; pagination: { page_size: number; next_cursor: string | null } };

/** RFC 4180 parser, enough for the export (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

async function all(c: Client, query = ""): Promise<Row[]> {
  const r = await c.get<Page>(`/api/audit?page_size=200${query}`);
  expect(r.status).toBe(200);
  expect(r.body.pagination).toEqual({ page_size: 200, next_cursor: null });
  return r.body.data;
}

let t: ProvisionedTenant;
let admin: Client;
let x: TestUser;
let startedAt: string;

beforeAll(async () => {
  startedAt = new Date(Date.now() - 1000).toISOString();
  t = await provision(await superAdmin());
  admin = await tenantClient(t);
  x = await createUser(admin, "Technician");
  for (const ip of [uniqueIp(), uniqueIp()])
    await new Client(`${t.subdomain}.localhost`, ip).login(x.email, "definitely-wrong");
  // A user agent that is a spreadsheet formula, to check the export's guard.
  await new Client(`${t.subdomain}.localhost`).post("/api/auth/login", x, {
    headers: { "user-agent": '=HYPERLINK("http://evil.example","click")' },
  });
  await createUser(admin, "Observer");
});

describe("GET /api/audit", () => {
  it("filters by type (one or several), category, user, status", async () => {
    const failed = await all(admin, "&type=user.login.failed");
    expect(failed).toHaveLength(2);
    expect(failed.every((r) => r.event_type === "user.login.failed" && r.user_id === x.id)).toBe(true);
    expect(failed[0]?.user_email).toBe(x.email);
    const two = await all(admin, "&type=user.login.failed,user.created");
    expect(new Set(two.map((r) => r.event_type))).toEqual(new Set(["user.login.failed", "user.created"]));
    expect(two).toHaveLength(4);
    const auth = await all(admin, "&category=auth");
    expect(auth.length).toBeGreaterThanOrEqual(4);
    expect(auth.every((r) => r.event_category === "auth")).toBe(true);
    const mine = await all(admin, `&user=${x.id}`);
    expect(mine.map((r) => r.event_type).sort()).toEqual([
      "user.login",
      "user.login.failed",
      "user.login.failed",
    ]);
    const failures = await all(admin, "&status=failure");
    expect(failures.every((r) => r.status === "failure")).toBe(true);
    expect(failures).toHaveLength(2);
  });

  it("filters by time range (inclusive), and refuses a range that ends before it starts", async () => {
    const everything = await all(admin);
    const newest = everything[0] as Row;
    const oldest = everything[everything.length - 1] as Row;
    expect((await all(admin, `&from=${encodeURIComponent(startedAt)}`)).length).toBe(everything.length);
    expect(await all(admin, `&from=${new Date(Date.now() + 3600_000).toISOString()}`)).toEqual([]);
    expect(await all(admin, `&to=${startedAt}`)).toEqual([]);
    const exact = await all(admin, `&from=${oldest.timestamp}&to=${oldest.timestamp}`);
    expect(exact.map((r) => r.id)).toContain(oldest.id);
    const r = await admin.get<Err>(`/api/audit?from=${newest.timestamp}&to=${startedAt}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details?.fields?.map((f) => f.path)).toContain("to");
  });

  it("pages with an opaque cursor: newest first, no row twice, none missed", async () => {
    const everything = await all(admin);
    expect(everything.length).toBeGreaterThan(5);
    const seen: Row[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: Page } = await admin.get<Page>(
        `/api/audit?page_size=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(r.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data);
      cursor = r.body.pagination.next_cursor;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual(everything.map((r) => r.id));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1] as Row, seen[i] as Row];
      expect(a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id)).toBe(true);
    }
  });

  it("refuses bad parameters with 400", async () => {
    for (const q of [
      "page_size=201",
      "page_size=0",
      "cursor=garbage",
      `cursor=${btoa('["2025-01-01","x"]')}`,
      "type=user.hacked",
      "category=money",
      "user=me",
      "from=yesterday",
    ]) {
      const r = await admin.get<Err>(`/api/audit?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
    }
  });

  it("needs VIEW_AUDIT and shows only the tenant's own events", async () => {
    expect((await new Client(`${t.subdomain}.localhost`).get("/api/audit")).status).toBe(401);
    await admin.post("/api/roles", { name: "No audit", permissions: ["user:read"] });
    const blind = await loginAs(t, await createUser(admin, "No audit"));
    expect((await blind.get("/api/audit")).status).toBe(403);
    const other = await provision(await superAdmin());
    const theirs = await all(await tenantClient(other));
    const ours = new Set((await all(admin)).map((r) => r.id));
    expect(theirs.some((r) => ours.has(r.id))).toBe(false);
  });
});

describe("GET /api/audit/export", () => {
  it("CSV: attachment, header row, the same rows as the list in the same order, formulas defused", async () => {
    const r = await admin.get<string>(`/api/audit/export?format=csv&user=${x.id}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="audit-${t.subdomain}-\\d{8}-\\d{6}\\.csv"$`),
    );
    const rows = parseCsv(r.body);
    expect(rows[0]).toEqual([
      "id",
      "timestamp",
      "event_type",
      "event_category",
      "action",
      "status",
      "user_id",
      "user_email",
      "session_id",
      "connection_id",
      "ip_address",
      "user_agent",
      "description",
      "error_message",
      "metadata",
    ]);
    const listed = await all(admin, `&user=${x.id}`);
    expect(rows.slice(1).map((row) => row[0])).toEqual(listed.map((l) => l.id));
    const login = rows.find((row) => row[2] === "user.login") as string[];
    expect(login[11]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(JSON.parse(login[14] as string)).toMatchObject({ secondFactor: null });
    expect(r.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it("NDJSON: one JSON object per line, same filters as the list; the export itself is audited", async () => {
    const r = await admin.get<string>("/api/audit/export?format=ndjson&category=auth");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const lines = r.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    expect(lines.map((l) => l.id)).toEqual((await all(admin, "&category=auth")).map((l) => l.id));
    const exports = await all(admin, "&type=tenant.data.read");
    expect(exports[0]).toMatchObject({ action: "audit_export", status: "success" });
    expect(exports[0]?.metadata).toMatchObject({ format: "ndjson", filters: { category: "auth" } });
  });

  it("streams thousands of rows in batches, tied timestamps included, each row exactly once", async () => {
    const own = await provision(await superAdmin());
    const a = await tenantClient(own);
    await sqlQuery(
      `insert into audit_log (organization_id, event_type, event_category, action, description, timestamp)
       select $1, 'security.alert', 'security', 'bulk', 'bulk row ' || g, '2024-01-01T00:00:00Z'
       from generate_series(1, 1203) g`,
      [own.id],
    );
    const r = await a.get<string>("/api/audit/export?format=ndjson");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-length")).toBeNull();
    const lines = r.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    const [count] = await sqlQuery<{ n: number }>(
      `select count(*)::int as n from audit_log where organization_id = $1`,
      [own.id],
    );
    expect(lines).toHaveLength(count?.n as number);
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    expect(lines.filter((l) => l.action === "bulk")).toHaveLength(1203);
    const csv = await a.get<string>("/api/audit/export?format=csv&type=security.alert");
    expect(parseCsv(csv.body)).toHaveLength(1204);
  });

  it("exports from a tenant's dedicated database as well", async () => {
    const { username, password } = inject("customerDb");
    const dedicated = await provision(await superAdmin(), {
      driverType: "postgresql",
      dbHost: "127.0.0.1",
      dbPort: inject("pgPort"),
      dbName: `audit_export_${Date.now()}`,
      dbUsername: username,
      dbPassword: password,
    });
    const a = await tenantClient(dedicated);
    const listed = await all(a);
    const r = await a.get<string>("/api/audit/export?format=ndjson");
    expect(r.status).toBe(200);
    const lines = r.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    // The list, plus the export's own event written just before the rows were read.
    expect(lines.map((l) => l.id).slice(1)).toEqual(listed.map((l) => l.id));
    expect(lines[0]?.action).toBe("audit_export");
  });

  it("Observer and Technician may view but not export (403, audited)", async () => {
    for (const role of ["Observer", "Technician"]) {
      const u = await createUser(admin, role);
      const c = await loginAs(t, u);
      expect((await c.get("/api/audit")).status).toBe(200);
      const r = await c.get<Err>("/api/audit/export?format=csv");
      expect(r.status).toBe(403);
      const denied = await all(admin, `&type=security.unauthorized&user=${u.id}`);
      expect(denied[0]?.metadata).toMatchObject({ missing: ["audit:export"] });
    }
    expect((await admin.get<Err>("/api/audit/export?format=xlsx")).status).toBe(400);
    expect((await admin.get<Err>("/api/audit/export")).status).toBe(400);
  });
});
