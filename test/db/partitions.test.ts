// Migration 0002 and partition maintenance against a real PostgreSQL: the partitioned layout on a fresh
// database and on one that already had rows, then the job (through the Worker's own driver and Databases,
// over the Neon WebSocket relay) with a clock the test sets: partitions created ahead, dropped only past
// the longest retention and never under a legal hold, rows of unexpected periods kept in DEFAULT and moved
// out when their partition comes, the row budget honoured and resumed.
import { neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import type { Db } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { MIGRATIONS } from "../../db/migrations/bundle.ts";
import { dropDatabase, ensureDatabase, migratePlatform, nodeDb } from "../../db/node.ts";
import { seedPredefinedRoles } from "../../db/seed.ts";
import { Databases, type DatabasesEnv } from "../../workers/db/databases.ts";
import type { Bindings } from "../../workers/env.ts";
import { maintainPartitions, partitionMaintenance } from "../../workers/jobs/partitions.ts";

const DAY = 86_400_000;
const base = `partitions_${process.pid}_${Date.now()}`;
const urlOf = (name: string) => inject("pgAdminUrl").replace(/\/postgres$/, `/${name}`);
const opened: { client: pg.Client; dbs: Databases; name: string }[] = [];

async function open(name: string) {
  const client = new pg.Client({ connectionString: urlOf(name) });
  await client.connect();
  if (typeof globalThis.WebSocket !== "function") neonConfig.webSocketConstructor = WebSocket;
  const dbs = Databases.forRequest({
    DATABASE_URL: urlOf(name),
    NEON_WS_PROXY: inject("neonWsProxy"),
  } as DatabasesEnv);
  opened.push({ client, dbs, name });
  return { client, dbs, db: dbs.controlDb as Db };
}

afterAll(async () => {
  for (const o of opened) {
    await o.dbs.close();
    await o.client.end();
    await dropDatabase(inject("pgAdminUrl"), o.name);
  }
});

/** An organization with a user and a session (what a command row needs). */
async function tenant(c: pg.Client, slug: string, settings: Record<string, unknown> = {}) {
  const one = async (q: string, v: unknown[]) => (await c.query<{ id: string }>(q, v)).rows[0]?.id as string;
  const org = await one(`insert into organization (name, slug, settings) values ($1, $1, $2) returning id`, [
    slug,
    settings,
  ]);
  const user = await one(
    `insert into "user" (email, password_hash, name, role_id, organization_id)
     values ($1, 'x', $1, (select id from role order by name limit 1), $2) returning id`,
    [`${slug}@example.test`, org],
  );
  const conn = await one(
    `insert into connection (name, hostname, port, username, auth_method, organization_id, created_by_user_id)
     values ('c', 'h', 22, 'u', 'password', $1, $2) returning id`,
    [org, user],
  );
  const session = await one(
    `insert into session (session_id, connection_id, initiated_by_user_id, organization_id, client_ip, user_agent)
     values ($1, $2, $3, $4, '127.0.0.1', 't') returning id`,
    [`s-${slug}`, conn, user, org],
  );
  return { org, user, session };
}

type Tenant = Awaited<ReturnType<typeof tenant>>;
const audit = (c: pg.Client, t: Tenant, at: Date) =>
  c.query(
    `insert into audit_log (organization_id, event_type, event_category, action, description, "timestamp")
     values ($1, 'user.login', 'auth', 'login', 'd', $2)`,
    [t.org, at],
  );
const command = (c: pg.Client, t: Tenant, at: Date) =>
  c.query(
    `insert into command (session_id, user_id, organization_id, command, status, executed_at)
     values ($1, $2, $3, 'ls', 'executed', $4)`,
    [t.session, t.user, t.org, at],
  );

async function partitions(c: pg.Client, table: string): Promise<string[]> {
  const r = await c.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass order by 1`,
    [table],
  );
  return r.rows.map((x) => x.name);
}

const whereIs = async (c: pg.Client, table: string, col: string, at: Date) =>
  (
    await c.query<{ p: string }>(`select tableoid::regclass::text as p from ${table} where ${col} = $1`, [at])
  ).rows.map((r) => r.p);

const monthName = (d: Date) =>
  `audit_log_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
const monthsFrom = (now: Date, n: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + n, 15));

describe("migration 0002", () => {
  let c: pg.Client;
  beforeAll(async () => {
    await ensureDatabase(inject("pgAdminUrl"), `${base}_fresh`);
    await migratePlatform(urlOf(`${base}_fresh`));
    ({ client: c } = await open(`${base}_fresh`));
  });

  it("partitions audit_log by month and command by week, with DEFAULT and the window ahead", async () => {
    const kinds = await c.query<{ relname: string; relkind: string }>(
      `select relname, relkind::text from pg_class where relname in ('audit_log', 'command') order by 1`,
    );
    expect(kinds.rows).toEqual([
      { relname: "audit_log", relkind: "p" },
      { relname: "command", relkind: "p" },
    ]);
    const now = new Date();
    const months = await partitions(c, "audit_log");
    expect(months).toContain("audit_log_default");
    for (let i = 0; i <= 3; i++) expect(months).toContain(monthName(monthsFrom(now, i)));
    expect(months).toHaveLength(5);
    const weeks = await partitions(c, "command");
    expect(weeks).toContain("command_default");
    expect(weeks).toHaveLength(6);
  });

  it("has the composite primary keys and the seed's indexes on every partition", async () => {
    const pk = await c.query<{ t: string; def: string }>(
      `select conrelid::regclass::text as t, pg_get_constraintdef(oid) as def from pg_constraint
       where contype = 'p' and conrelid in ('audit_log'::regclass, 'command'::regclass) order by 1`,
    );
    expect(pk.rows).toEqual([
      { t: "audit_log", def: 'PRIMARY KEY (id, "timestamp")' },
      { t: "command", def: "PRIMARY KEY (id, executed_at)" },
    ]);
    for (const [table, n] of [
      ["audit_log", 6],
      ["command", 6],
    ] as const) {
      for (const p of await partitions(c, table)) {
        const idx = await c.query(`select indexdef from pg_indexes where tablename = $1`, [p]);
        expect(idx.rowCount, p).toBe(n);
      }
    }
    const blocked = await c.query(
      `select 1 from pg_indexes where tablename = 'command_default' and indexdef like '%WHERE (was_blocked = true)%'`,
    );
    expect(blocked.rowCount).toBe(1);
  });

  it("never fails an insert: a far-future timestamp lands in DEFAULT", async () => {
    const t = await tenant(c, "fresh-far");
    const far = new Date(Date.UTC(2099, 0, 1));
    await audit(c, t, far);
    await command(c, t, far);
    expect(await whereIs(c, "audit_log", '"timestamp"', far)).toEqual(["audit_log_default"]);
    expect(await whereIs(c, "command", "executed_at", far)).toEqual(["command_default"]);
  });
});

describe("migration 0002 on a database with rows", () => {
  it("moves every row into its partition, old periods included", async () => {
    const name = `${base}_rows`;
    await ensureDatabase(inject("pgAdminUrl"), name);
    const { db, pool } = nodeDb(urlOf(name));
    // Migrate up to 0001 only, as a database deployed before partitioning was.
    const m = db as unknown as { dialect: { migrate: (...a: unknown[]) => Promise<void> }; session: unknown };
    await applyMigrations(db, "control");
    await m.dialect.migrate(MIGRATIONS.tenant.slice(0, 2), m.session, {
      migrationsTable: "__tenant_migrations",
    });
    await seedPredefinedRoles(db);
    const { client: c } = await open(name);
    const t = await tenant(c, "rows");
    const now = new Date();
    const old = new Date(now.getTime() - 400 * DAY);
    for (const at of [old, now]) {
      await audit(c, t, at);
      await command(c, t, at);
    }
    expect(
      (await c.query(`select relkind::text as k from pg_class where relname = 'audit_log'`)).rows[0]?.k,
    ).toBe("r");
    await applyMigrations(db, "tenant");
    await pool.end();
    expect(await whereIs(c, "audit_log", '"timestamp"', old)).toEqual([monthName(old)]);
    expect(await whereIs(c, "audit_log", '"timestamp"', now)).toEqual([monthName(now)]);
    const [oldWeek] = await whereIs(c, "command", "executed_at", old);
    expect(oldWeek).toMatch(/^command_p\d{8}$/);
    // The months that have rows and the window ahead; not every month since the oldest row.
    expect(await partitions(c, "audit_log")).toEqual(
      ["audit_log_default", monthName(old), ...[0, 1, 2, 3].map((i) => monthName(monthsFrom(now, i)))].sort(),
    );
    expect((await c.query(`select count(*)::int as n from command`)).rows[0]?.n).toBe(2);
  });
});

describe("partition maintenance", () => {
  let c: pg.Client;
  let db: Db;
  let dbs: Databases;
  const now = new Date();
  beforeAll(async () => {
    await ensureDatabase(inject("pgAdminUrl"), `${base}_job`);
    await migratePlatform(urlOf(`${base}_job`));
    ({ client: c, db, dbs } = await open(`${base}_job`));
  });

  it("creates partitions ahead as the clock moves, once", async () => {
    const later = monthsFrom(now, 5);
    const r = await maintainPartitions(db, later, 10_000);
    expect(r.more).toBe(false);
    const months = await partitions(c, "audit_log");
    for (let i = 5; i <= 8; i++) expect(months).toContain(monthName(monthsFrom(now, i)));
    expect(r.counts.audit_log_partitions_created).toBe(4);
    expect(r.counts.command_partitions_created).toBeGreaterThanOrEqual(5);
    const again = await maintainPartitions(db, later, 10_000);
    expect(again.counts).toEqual({});
  });

  it("drops a partition only once it is past the longest retention, and never under a legal hold", async () => {
    const short = await tenant(c, "short", { audit_retention_days: 30, command_retention_days: 7 });
    const long = await tenant(c, "long", { audit_retention_days: 400, command_retention_days: 200 });
    const month = monthName(now);
    await audit(c, short, now);
    await audit(c, long, now);
    // 300 days later: past the short tenant's 30 days, not past the long one's 400 — the month stays.
    await maintainPartitions(db, new Date(now.getTime() + 300 * DAY), 10_000);
    expect(await partitions(c, "audit_log")).toContain(month);
    expect((await c.query(`select count(*)::int as n from ${month}`)).rows[0]?.n).toBe(2);
    // A legal hold anywhere in the database keeps it past every retention.
    await c.query(`update organization set settings = settings || '{"legal_hold": true}' where id = $1`, [
      short.org,
    ]);
    await maintainPartitions(db, new Date(now.getTime() + 500 * DAY), 10_000);
    expect(await partitions(c, "audit_log")).toContain(month);
    await c.query(`update organization set settings = settings - 'legal_hold' where id = $1`, [short.org]);
    // 400 days after the month ended: detached and dropped, its rows with it; DEFAULT stays.
    const r = await maintainPartitions(db, new Date(now.getTime() + 440 * DAY), 10_000);
    expect(r.counts.audit_log_partitions_dropped).toBeGreaterThanOrEqual(1);
    const after = await partitions(c, "audit_log");
    expect(after).not.toContain(month);
    expect(after).toContain("audit_log_default");
    expect((await c.query(`select to_regclass($1) as t`, [month])).rows[0]?.t).toBeNull();
    expect(
      (await c.query(`select count(*)::int as n from audit_log where "timestamp" = $1`, [now])).rows[0]?.n,
    ).toBe(0);
  });

  it("keeps a far-future row in DEFAULT until its period comes, then moves it into its partition", async () => {
    const t = await tenant(c, "future");
    const far = new Date(Date.UTC(now.getUTCFullYear() + 3, 5, 10, 12));
    await audit(c, t, far);
    await command(c, t, far);
    const before = await maintainPartitions(db, now, 10_000);
    expect(before.counts.audit_log_rows_moved_from_default ?? 0).toBe(0);
    expect(await whereIs(c, "audit_log", '"timestamp"', far)).toEqual(["audit_log_default"]);
    const r = await maintainPartitions(db, new Date(far.getTime() - 20 * DAY), 10_000);
    expect(r.counts.audit_log_rows_moved_from_default).toBe(1);
    expect(r.counts.command_rows_moved_from_default).toBe(1);
    expect(await whereIs(c, "audit_log", '"timestamp"', far)).toEqual([monthName(far)]);
    const [week] = await whereIs(c, "command", "executed_at", far);
    expect(week).toMatch(/^command_p\d{8}$/);
    expect((await c.query(`select count(*)::int as n from audit_log_default`)).rows[0]?.n).toBe(0);
  });

  it("stops at the row budget and continues on the next run (the job over every database)", async () => {
    const t = await tenant(c, "budget");
    const y = now.getUTCFullYear() + 6;
    const a = new Date(Date.UTC(y, 1, 10));
    const b = new Date(Date.UTC(y, 2, 10));
    for (const at of [a, a, b]) await audit(c, t, at);
    const ctx = { env: {} as Bindings, dbs, now: new Date(Date.UTC(y, 1, 1)), budget: 1 };
    const first = await partitionMaintenance.run(ctx);
    expect(first.more).toBe(true);
    expect(first.counts.audit_log_rows_moved_from_default).toBe(2);
    expect(await whereIs(c, "audit_log", '"timestamp"', b)).toEqual(["audit_log_default"]);
    const second = await partitionMaintenance.run({ ...ctx, budget: 100 });
    expect(second.more).toBe(false);
    expect(second.counts.audit_log_rows_moved_from_default).toBe(1);
    expect(second.counts.databases).toBe(1);
    expect(await whereIs(c, "audit_log", '"timestamp"', b)).toEqual([monthName(b)]);
  });
});
