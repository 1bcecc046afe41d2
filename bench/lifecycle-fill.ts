// Fills a tenant database for bench/lifecycle.ts, entirely in SQL (generate_series, never row by row):
// 1,000 organizations, each with 5 users, a connection and 10 sessions; audit events and commands spread
// evenly over the tenants and over 13 months back from the bench's clock. Deterministic apart from the
// random row ids, so the partitioned database and its unpartitioned copy hold the same data.
// For speed the tables' indexes and constraints are dropped during the load and recreated after it from
// their own definitions (pg_get_indexdef / pg_get_constraintdef), so each database keeps exactly the
// indexes its migrations made.
import type pg from "pg";

export const TENANTS = 1000;
export const USERS_PER_TENANT = 5;
export const SESSIONS_PER_TENANT = 10;
export const SPAN_DAYS = 395;

const EVENTS: [type: string, category: string][] = [
  ["user.login", "auth"],
  ["session.started", "session"],
  ["command.executed", "session"],
  ["session.ended", "session"],
  ["user.logout", "auth"],
  ["connection.updated", "connection"],
  ["user.login.failed", "auth"],
  ["policy.violation", "security"],
];

const COMMANDS = [
  "ls -la /var/www",
  "systemctl restart nginx",
  "tail -n 200 /var/log/syslog",
  "git pull --rebase",
  "docker ps --all",
  "kubectl get pods -n prod",
  "df -h",
  "cat /etc/passwd",
  "sudo rm -rf /tmp/cache",
  "psql -c 'select 1'",
];
const RISKS = ["low", "low", "low", "medium", "medium", "high", "critical"];

const lit = (values: string[]) => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ")}]`;

/** Tenants, users, connections and sessions (ids derived from their numbers, so both databases agree). */
export async function fillTenants(c: pg.Client): Promise<void> {
  // A uuid (version 4 bits set, as the API's validation wants) derived from a text.
  await c.query(`create or replace function bench_id(t text) returns uuid language sql immutable
    as $$ select overlay(overlay(md5(t) placing '4' from 13) placing '8' from 17)::uuid $$`);
  await c.query(`
    insert into organization (id, name, slug)
    select bench_id('org' || o), 'Org ' || o, 'org-' || o from generate_series(0, ${TENANTS - 1}) o`);
  await c.query(`
    insert into "user" (id, email, password_hash, name, role_id, organization_id)
    select bench_id('user' || u), 'u' || u || '@bench.test', 'x', 'User ' || u,
           (select id from role order by name limit 1), bench_id('org' || (u / ${USERS_PER_TENANT}))
    from generate_series(0, ${TENANTS * USERS_PER_TENANT - 1}) u`);
  await c.query(`
    insert into connection (id, name, hostname, port, username, auth_method, organization_id, created_by_user_id)
    select bench_id('conn' || o), 'c' || o, 'host-' || o, 22, 'ops', 'password', bench_id('org' || o),
           bench_id('user' || (o * ${USERS_PER_TENANT}))
    from generate_series(0, ${TENANTS - 1}) o`);
  await c.query(`
    insert into session (id, session_id, connection_id, initiated_by_user_id, organization_id, client_ip, user_agent)
    select bench_id('sess' || s), 's-' || s, bench_id('conn' || (s / ${SESSIONS_PER_TENANT})),
           bench_id('user' || ((s / ${SESSIONS_PER_TENANT}) * ${USERS_PER_TENANT} + s % ${USERS_PER_TENANT})),
           bench_id('org' || (s / ${SESSIONS_PER_TENANT})), '10.0.0.1', 'bench'
    from generate_series(0, ${TENANTS * SESSIONS_PER_TENANT - 1}) s`);
}

/** Audit rows and commands: row g belongs to tenant g % 1000 and lies g/N of the span before `end`. */
export async function fillEvents(c: pg.Client, end: Date, audits: number, commands: number): Promise<void> {
  const at = (n: number) =>
    `'${end.toISOString()}'::timestamptz - (g::float8 / ${n} * ${SPAN_DAYS * 86400} + g % 7) * interval '1 second'`;
  const o = `(g % ${TENANTS})`;
  await c.query(`
    insert into audit_log (organization_id, user_id, session_id, event_type, event_category, action, description,
                           ip_address, user_agent, status, "timestamp")
    select bench_id('org' || ${o}),
           bench_id('user' || (${o} * ${USERS_PER_TENANT} + (g / ${TENANTS}) % ${USERS_PER_TENANT})),
           bench_id('sess' || (${o} * ${SESSIONS_PER_TENANT} + (g / ${TENANTS}) % ${SESSIONS_PER_TENANT})),
           (${lit(EVENTS.map((e) => e[0]))})[1 + (g / 7) % ${EVENTS.length}]::audit_event_type,
           (${lit(EVENTS.map((e) => e[1]))})[1 + (g / 7) % ${EVENTS.length}]::audit_event_category,
           'bench', 'bench event ' || g, '10.0.' || (g % 250) || '.' || (g % 199), 'bench-agent/1.0',
           (case when (g / 7) % ${EVENTS.length} = 6 then 'failure' else 'success' end)::audit_status,
           ${at(audits)}
    from generate_series(0, ${audits - 1}) g`);
  await c.query(`
    insert into command (session_id, user_id, organization_id, command, status, output, risk_level, was_blocked,
                         source, executed_at, duration_ms)
    select bench_id('sess' || s),
           bench_id('user' || ((s / ${SESSIONS_PER_TENANT}) * ${USERS_PER_TENANT} + s % ${USERS_PER_TENANT})),
           bench_id('org' || (s / ${SESSIONS_PER_TENANT})),
           (${lit(COMMANDS)})[1 + (g / 3) % ${COMMANDS.length}] || ' # ' || (g % 1000),
           (case when r = 'critical' then 'blocked' else 'executed' end)::command_status,
           case when r = 'critical' then null else 'ok ' || g end,
           r::risk_level, r = 'critical', 'interactive', ${at(commands)}, g % 5000
    from (select g, ${o} * ${SESSIONS_PER_TENANT} + (g / ${TENANTS}) % ${SESSIONS_PER_TENANT} as s,
                 (${lit(RISKS)})[1 + (g / 11) % ${RISKS.length}] as r
          from generate_series(0, ${commands - 1}) g) x`);
}

interface Saved {
  indexes: string[];
  constraints: { name: string; def: string }[];
}

/** Drops a table's indexes and constraints (a partitioned parent's take its partitions' with them). */
export async function stripTable(c: pg.Client, table: string): Promise<Saved> {
  const idx = await c.query<{ name: string; def: string }>(
    `select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as def from pg_index i
     where indrelid = $1::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [table],
  );
  const con = await c.query<{ name: string; def: string }>(
    `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
     where conrelid = $1::regclass and contype in ('p', 'f')`,
    [table],
  );
  for (const k of con.rows) await c.query(`alter table "${table}" drop constraint "${k.name}"`);
  for (const i of idx.rows) await c.query(`drop index ${i.name}`);
  // On a partitioned table the definition reads "ON ONLY": recreated without it, it reaches every partition.
  return { indexes: idx.rows.map((i) => i.def.replace(" ON ONLY ", " ON ")), constraints: con.rows };
}

export async function restoreTable(c: pg.Client, table: string, saved: Saved): Promise<void> {
  for (const k of saved.constraints.filter((x) => x.def.startsWith("PRIMARY")))
    await c.query(`alter table "${table}" add constraint "${k.name}" ${k.def}`);
  for (const def of saved.indexes) await c.query(def);
  for (const k of saved.constraints.filter((x) => !x.def.startsWith("PRIMARY")))
    await c.query(`alter table "${table}" add constraint "${k.name}" ${k.def}`);
}
