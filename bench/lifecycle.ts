// Partitioned vs unpartitioned audit_log and command at the seed's scale, in one run on one PostgreSQL
// (the embedded server the project uses for dev and tests): two databases, one migrated to today's schema
// (partitioned, migration 0002) and one stopped before it (migrations 0000–0001: the unpartitioned tables
// as they were), filled with the same data by bench/lifecycle-fill.ts — 10 M audit rows and 5 M commands
// across 1,000 tenants and 13 months at --scale 1. Then, on both: the audit list and the command search
// through the services and stores exactly as the API runs them (p50/p99 over repeated runs, tenants
// varied), the audit export of one tenant-year through the API's own export stream (rows/s, RSS sampled),
// a retention run for one tenant (batched DELETE; time, rows removed, and every other tenant's row counts
// unchanged), dropping the partitions past retention (the maintenance job) against DELETE of the same
// rows, and the table and index sizes. Prints a comparison table.
// Run: npx tsx bench/lifecycle.ts [--scale 0.01]   (scale 1: about half an hour; needs ~12 GB of disk)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { type Db, schema } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { MIGRATIONS } from "../db/migrations/bundle.ts";
import { ensureDatabase, migratePlatform, nodeDb } from "../db/node.ts";
import { seedPredefinedRoles } from "../db/seed.ts";
import { startPostgres } from "../infra/dev/postgres.ts";
import { exportStream } from "../workers/audit/export.ts";
import { AuditQuery } from "../workers/audit/schemas.ts";
import { auditPage } from "../workers/audit/service.ts";
import { CommandQuery } from "../workers/commands/schemas.ts";
import { searchCommands } from "../workers/commands/service.ts";
import type { Bindings } from "../workers/env.ts";
import {
  addPeriods,
  PARTITIONED,
  partitionName,
  periodStart,
  planPartitions,
} from "../workers/jobs/partition-plan.ts";
import { partitionsOf } from "../workers/jobs/partition-store.ts";
import { maintainPartitions } from "../workers/jobs/partitions.ts";
import { type TenantContext, tenantContext } from "../workers/tenancy/context.ts";
import type { TenantRecord } from "../workers/tenancy/tenant-record.ts";
import { fillEvents, fillTenants, restoreTable, SPAN_DAYS, stripTable, TENANTS } from "./lifecycle-fill.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SCALE = Number(arg("scale") ?? 1);
const AUDITS = Math.round(10_000_000 * SCALE);
const COMMANDS = Math.round(5_000_000 * SCALE);
const REPS = Number(arg("reps") ?? 200);
const DAY = 86_400_000;
const NOW = new Date();
const t0 = Date.now();
const say = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);
const ms = (a: bigint) => Number(process.hrtime.bigint() - a) / 1e6;

type Variant = "partitioned" | "unpartitioned";
const VARIANTS: Variant[] = ["partitioned", "unpartitioned"];
const dir = mkdtempSync(join(tmpdir(), "nostromo-lifecycle-"));
const server = await startPostgres({ dataDir: join(dir, "pg"), persistent: false });
const admin = new pg.Client({ connectionString: server.url("postgres") });
await admin.connect();
await admin.query("alter system set max_wal_size = '8GB'");
await admin.query("alter system set shared_buffers = '512MB'");
await admin.query("select pg_reload_conf()");

const dbs = {} as Record<Variant, { client: pg.Client; db: Db; pool: pg.Pool }>;
const results: Record<string, Partial<Record<Variant, string>>> = {};
const put = (k: string, v: Variant, s: string) => {
  results[k] = { ...results[k], [v]: s };
};

async function prepare(v: Variant) {
  const name = `lifecycle_${v}`;
  const url = server.url(name);
  await ensureDatabase(server.url("postgres"), name);
  if (v === "partitioned") await migratePlatform(url);
  else {
    // The schema as deployed before partitioning: the tenant migrations up to 0001.
    const { db, pool } = nodeDb(url);
    const m = db as unknown as { dialect: { migrate: (...a: unknown[]) => Promise<void> }; session: unknown };
    await applyMigrations(db, "control");
    await m.dialect.migrate(MIGRATIONS.tenant.slice(0, 2), m.session, {
      migrationsTable: "__tenant_migrations",
    });
    await seedPredefinedRoles(db);
    await pool.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  // The services run here as in the Worker; the Worker's driver speaks WebSocket, this one TCP: the same
  // drizzle query builder and SQL over node-postgres, typed as the Worker's Db.
  dbs[v] = { client, pool, db: drizzle({ client: pool, schema }) as unknown as Db };
}

async function fill(v: Variant) {
  const { client: c } = dbs[v];
  await c.query("set maintenance_work_mem = '1GB'");
  await c.query("set synchronous_commit = off");
  if (v === "partitioned") {
    // The 13 months of history get their partitions as the migration would have made them.
    for (const spec of PARTITIONED) {
      const first = periodStart(spec.period, new Date(NOW.getTime() - (SPAN_DAYS + 1) * DAY));
      for (let s = first; s < NOW; s = addPeriods(spec.period, s, 1)) {
        const to = addPeriods(spec.period, s, 1);
        await c.query(
          `create table if not exists ${partitionName(spec, s)} partition of ${spec.table}
           for values from ('${s.toISOString()}') to ('${to.toISOString()}')`,
        );
      }
    }
  }
  await fillTenants(c);
  const saved = { audit_log: await stripTable(c, "audit_log"), command: await stripTable(c, "command") };
  let t = process.hrtime.bigint();
  await fillEvents(c, NOW, AUDITS, COMMANDS);
  put("load: insert (no indexes)", v, `${(ms(t) / 1000).toFixed(0)} s`);
  t = process.hrtime.bigint();
  await restoreTable(c, "audit_log", saved.audit_log);
  await restoreTable(c, "command", saved.command);
  put("load: indexes + keys", v, `${(ms(t) / 1000).toFixed(0)} s`);
  await c.query("vacuum analyze audit_log");
  await c.query("vacuum analyze command");
  const inDefault =
    v === "partitioned" ? (await c.query("select count(*)::int as n from audit_log_default")).rows[0].n : 0;
  if (inDefault)
    throw new Error(`${inDefault} rows fell into audit_log_default: the history partitions are wrong`);
}

async function sizes(v: Variant, when: string) {
  const { client: c } = dbs[v];
  for (const table of ["audit_log", "command"]) {
    // A partitioned table's size is its partitions' (pg_partition_tree lists nothing for a plain table).
    const r = await c.query<{ t: string; i: string; n: number }>(
      v === "partitioned"
        ? `select pg_size_pretty(sum(pg_table_size(relid))) as t, pg_size_pretty(sum(pg_indexes_size(relid))) as i,
                  count(*)::int as n from pg_partition_tree($1) where isleaf`
        : `select pg_size_pretty(pg_table_size($1::regclass)) as t, pg_size_pretty(pg_indexes_size($1::regclass)) as i`,
      [table],
    );
    const row = r.rows[0];
    put(
      `size ${when}: ${table} table / indexes`,
      v,
      `${row?.t} / ${row?.i}${v === "partitioned" ? ` (${row?.n} parts)` : ""}`,
    );
  }
}

/** A tenant context as a job builds one; the tenant record carries only what the stores read. */
const ctxFor = (v: Variant, tenant: string): TenantContext =>
  tenantContext({
    env: {} as Bindings,
    tenant: { id: tenant, dbMode: "pooled", driverType: "postgresql" } as TenantRecord,
    db: dbs[v].db,
    control: dbs[v].db,
  });

async function tenantIds(): Promise<{ org: string; user: string }[]> {
  const r = await dbs.partitioned.client.query<{ org: string; uid: string }>(
    `select o.id as org, (select u.id from "user" u where u.organization_id = o.id order by u.id limit 1) as uid
     from organization o where o.slug like 'org-%' order by o.slug`,
  );
  return r.rows.map((x) => ({ org: x.org, user: x.uid }));
}

const iso = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString();
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function queries(tenants: { org: string; user: string }[]) {
  const cases: { name: string; run: (ctx: TenantContext, user: string) => Promise<unknown> }[] = [
    { name: "audit list: newest page", run: (ctx) => auditPage(ctx, AuditQuery.parse({})) },
    {
      name: "audit list: category + 30-day range",
      run: (ctx) => auditPage(ctx, AuditQuery.parse({ category: "auth", from: iso(60), to: iso(30) })),
    },
    {
      name: "audit list: two types + user",
      run: (ctx, user) => auditPage(ctx, AuditQuery.parse({ type: "user.login,user.login.failed", user })),
    },
    { name: "command search: newest page", run: (ctx) => searchCommands(ctx, CommandQuery.parse({})) },
    {
      name: "command search: text + 7-day range",
      run: (ctx) => searchCommands(ctx, CommandQuery.parse({ q: "systemctl", from: iso(14), to: iso(7) })),
    },
    {
      name: "command search: risk high",
      run: (ctx) => searchCommands(ctx, CommandQuery.parse({ risk_level: "high" })),
    },
  ];
  for (const q of cases) {
    for (const v of VARIANTS) {
      const times: number[] = [];
      for (let i = -10; i < REPS; i++) {
        const t = tenants[(i * 7919 + 13) % tenants.length] ?? tenants[0];
        if (!t) throw new Error("no tenants");
        const start = process.hrtime.bigint();
        await q.run(ctxFor(v, t.org), t.user);
        if (i >= 0) times.push(ms(start));
      }
      put(`${q.name} (p50 / p99 ms)`, v, `${pct(times, 0.5).toFixed(2)} / ${pct(times, 0.99).toFixed(2)}`);
    }
    say(`measured ${q.name}`);
  }
}

async function exportYear(v: Variant, org: string) {
  const rss = [process.memoryUsage().rss];
  const start = process.hrtime.bigint();
  const stream = await exportStream(ctxFor(v, org), "ndjson", { from: iso(365) }, async () => {});
  const reader = stream.getReader();
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    rss.push(process.memoryUsage().rss);
    for (const b of value) if (b === 10) rows += 1;
  }
  const took = ms(start);
  const mib = (n: number) => (n / 1048576).toFixed(0);
  put("export one tenant-year: rows, rows/s", v, `${rows}, ${Math.round(rows / (took / 1000))}/s`);
  put(
    "export: RSS first / max / last MiB",
    v,
    `${mib(rss[0] ?? 0)} / ${mib(Math.max(...rss))} / ${mib(rss.at(-1) ?? 0)}`,
  );
  return { rows, bytes };
}

async function countsByTenant(c: pg.Client, table: string): Promise<Map<string, number>> {
  const r = await c.query<{ o: string; n: number }>(
    `select organization_id::text as o, count(*)::int as n from ${table} group by 1`,
  );
  return new Map(r.rows.map((x) => [x.o, x.n]));
}

/** One tenant's retention (90 days) by batched DELETE, as the per-tenant retention does beside the drops,
 * in two forms: `id in (a batch)` as the retention store writes it, and the same with the cutoff repeated
 * on the outer statement (which lets PostgreSQL skip the partitions the cutoff excludes). */
const RETENTION_FORMS = {
  "id in batch": (t: string, col: string) =>
    `delete from ${t} where organization_id = $1 and id in (select id from ${t}
       where organization_id = $1 and ${col} < $2 limit 5000)`,
  "id in batch, cutoff outside too": (t: string, col: string) =>
    `delete from ${t} where organization_id = $1 and ${col} < $2 and id in (select id from ${t}
       where organization_id = $1 and ${col} < $2 limit 5000)`,
};

async function retention(v: Variant, org: string, form: keyof typeof RETENTION_FORMS) {
  const { client: c } = dbs[v];
  for (const [table, col] of [
    ["audit_log", '"timestamp"'],
    ["command", "executed_at"],
  ] as const) {
    const before = await countsByTenant(c, table);
    const start = process.hrtime.bigint();
    let removed = 0;
    for (;;) {
      const r = await c.query(RETENTION_FORMS[form](table, col), [org, iso(90)]);
      removed += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < 5000) break;
    }
    const took = ms(start);
    const after = await countsByTenant(c, table);
    let others = 0;
    for (const [o, n] of before) if (o !== org && after.get(o) !== n) others += 1;
    const own = (before.get(org) ?? 0) - (after.get(org) ?? 0);
    if (others || own !== removed)
      throw new Error(`retention touched ${others} other tenants (${own} vs ${removed})`);
    put(
      `retention, one tenant, ${table} (${form}): rows, ms`,
      v,
      `${removed}, ${took.toFixed(0)} (others unchanged: ${before.size - 1})`,
    );
  }
}

/** Where the job's drops end on each table today (the newest dropped partition's upper bound): every row
 * before it goes, on the partitioned side by dropping partitions, on the other by DELETE. */
async function expiryBounds(): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  for (const spec of PARTITIONED) {
    const plan = planPartitions(spec, {
      now: NOW,
      existing: await partitionsOf(dbs.partitioned.db, spec),
      inDefault: [],
      retentionDays: spec.defaultRetentionDays,
      hold: false,
    });
    const last = plan.drop.at(-1);
    if (last) out.set(spec.table, last.to);
  }
  return out;
}

async function expire(v: Variant, bounds: Map<string, Date>) {
  const { client: c, db } = dbs[v];
  const start = process.hrtime.bigint();
  if (v === "partitioned") {
    const r = await maintainPartitions(db, NOW, 1_000_000);
    const n = (t: string) => r.counts[`${t}_partitions_dropped`] ?? 0;
    put("expire: partitions dropped (audit / command)", v, `${n("audit_log")} / ${n("command")}`);
  } else {
    for (const spec of PARTITIONED) {
      const bound = bounds.get(spec.table);
      if (bound)
        await c.query(
          `delete from ${spec.table} where ${spec.column === "timestamp" ? '"timestamp"' : spec.column} < $1`,
          [bound],
        );
    }
  }
  put("expire past the longest retention: ms (both tables)", v, ms(start).toFixed(0));
}

try {
  say(`scale ${SCALE}: ${AUDITS} audit rows, ${COMMANDS} commands, ${TENANTS} tenants, ${SPAN_DAYS} days`);
  for (const v of VARIANTS) {
    await prepare(v);
    await fill(v);
    await sizes(v, "after load");
    say(`filled ${v}`);
  }
  const tenants = await tenantIds();
  await queries(tenants);
  const target = tenants[500] ?? tenants[0];
  if (!target) throw new Error("no tenants");
  for (const v of VARIANTS) await exportYear(v, target.org);
  say("measured the export");
  for (const v of VARIANTS) await retention(v, target.org, "id in batch");
  const second = tenants[501] ?? target;
  for (const v of VARIANTS) await retention(v, second.org, "id in batch, cutoff outside too");
  say("measured retention");
  // Defaults (no tenant sets a retention): audit 365 days by whole months, commands 180 days by weeks.
  const bounds = await expiryBounds();
  for (const v of VARIANTS) {
    const r = await dbs[v].client.query<{ a: number; c: number }>(
      `select (select count(*) from audit_log where "timestamp" < $1)::int as a,
              (select count(*) from command where executed_at < $2)::int as c`,
      [bounds.get("audit_log") ?? new Date(0), bounds.get("command") ?? new Date(0)],
    );
    put("expire: rows past retention (audit / command)", v, `${r.rows[0]?.a} / ${r.rows[0]?.c}`);
  }
  for (const v of VARIANTS) await expire(v, bounds);
  for (const v of VARIANTS) {
    const r = await dbs[v].client.query<{ a: number; c: number }>(
      `select (select count(*) from audit_log)::int as a, (select count(*) from command)::int as c`,
    );
    put("rows left after expiry (audit / command)", v, `${r.rows[0]?.a} / ${r.rows[0]?.c}`);
  }
  for (const v of VARIANTS) await sizes(v, "after expiry");
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  console.log(`\n| measure${" ".repeat(width - 7)} | partitioned | unpartitioned |\n|---|---|---|`);
  for (const [k, r] of Object.entries(results))
    console.log(`| ${k.padEnd(width)} | ${r.partitioned ?? "–"} | ${r.unpartitioned ?? "–"} |`);
} finally {
  for (const v of VARIANTS) {
    await dbs[v]?.client.end();
    await dbs[v]?.pool.end();
  }
  await admin.end();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
