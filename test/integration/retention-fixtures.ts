// Rows for the retention tests, written straight into a tenant database (pooled or dedicated) at chosen
// instants — the job's clock is the test's `now`, so "91 days old" is exact — and recording chunks in the
// Worker's R2 binding, where the session room would have put them.
import { env } from "cloudflare:test";
import { inject } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { chunkKey } from "../../workers/session-room/recorder.ts";
import { sqlQuery, unique } from "../support/api.ts";

export type Query = <R extends Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

export const pooled: Query = (text, params) => sqlQuery(text, params);

/** Runs fn with a query function on a dedicated tenant database of the test PostgreSQL. */
export async function onDedicated<T>(dbName: string, fn: (q: Query) => Promise<T>): Promise<T> {
  const { username, password } = inject("customerDb");
  configureNeon(env.NEON_WS_PROXY);
  const { pool } = createDb(`postgres://${username}:${password}@127.0.0.1:${inject("pgPort")}/${dbName}`);
  try {
    return await fn(async (text, params = []) => (await pool.query(text, params)).rows);
  } finally {
    await pool.end();
  }
}

const DAY_MS = 86_400_000;
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

export interface Org {
  id: string;
  userId: string;
  sessionId: string;
}

/** A connection and an ended session of the organization's admin, to hang commands and recordings on. */
export async function orgFixture(q: Query, orgId: string): Promise<Org> {
  const [u] = await q<{ id: string }>(
    `select id from "user" where organization_id = $1 order by created_at limit 1`,
    [orgId],
  );
  const userId = u?.id as string;
  const [c] = await q<{ id: string }>(
    `insert into connection (organization_id, name, hostname, port, username, auth_method, created_by_user_id)
     values ($1, $2, 'web.example', 22, 'deploy', 'password', $3) returning id`,
    [orgId, unique("conn"), userId],
  );
  const [s] = await q<{ id: string }>(
    `insert into session (session_id, connection_id, initiated_by_user_id, organization_id, client_ip, user_agent,
       status) values ($1, $2, $3, $4, '198.51.100.1', 'tests', 'ended') returning id`,
    [unique("ssh"), c?.id, userId, orgId],
  );
  return { id: orgId, userId, sessionId: s?.id as string };
}

export async function addCommand(q: Query, o: Org, at: Date, text: string): Promise<string> {
  const [r] = await q<{ id: string }>(
    `insert into command (session_id, user_id, organization_id, command, status, executed_at)
     values ($1, $2, $3, $4, 'executed', $5) returning id`,
    [o.sessionId, o.userId, o.id, text, at.toISOString()],
  );
  return r?.id as string;
}

/** `n` commands executed at `at`. */
export async function addCommands(q: Query, o: Org, at: Date, n: number): Promise<void> {
  await q(
    `insert into command (session_id, user_id, organization_id, command, status, executed_at)
     select $1, $2, $3, 'echo ' || g, 'executed', $4 from generate_series(1, $5::int) g`,
    [o.sessionId, o.userId, o.id, at.toISOString(), n],
  );
}

export async function addAudit(q: Query, orgId: string, at: Date, n = 1): Promise<void> {
  await q(
    `insert into audit_log (organization_id, event_type, event_category, action, description, timestamp)
     select $1, 'security.alert', 'security', 'old-event', 'row ' || g, $2 from generate_series(1, $3::int) g`,
    [orgId, at.toISOString(), n],
  );
}

export interface Rec {
  id: string;
  keys: string[];
}

/** A ready recording created at `createdAt`, kept until `until`, with `chunks` objects in R2. */
export async function addRecording(
  q: Query,
  o: Org,
  createdAt: Date,
  until: Date,
  chunks: number,
): Promise<Rec> {
  const [r] = await q<{ id: string }>(
    `insert into session_recording (session_id, organization_id, file_url, file_name, resolution, status,
       retention_until, chunk_count, created_at)
     values ($1, $2, '', 'session.cast', '80x24', 'ready', $3, $4, $5) returning id`,
    [o.sessionId, o.id, until.toISOString(), chunks, createdAt.toISOString()],
  );
  const id = r?.id as string;
  const prefix = `recordings/${o.id}/${o.sessionId}/${id}`;
  await q(`update session_recording set file_url = $2 where id = $1`, [id, `r2://${prefix}/`]);
  const keys = Array.from({ length: chunks }, (_, n) => chunkKey(prefix, n));
  for (const k of keys) await env.RECORDINGS.put(k, `[${k}]\n`);
  return { id, keys };
}

/** How many of the keys are still in R2. */
export async function objectsLeft(keys: string[]): Promise<number> {
  let n = 0;
  for (const k of keys) if (await env.RECORDINGS.head(k)) n += 1;
  return n;
}

export async function countOf(q: Query, table: "command" | "audit_log", orgId: string): Promise<number> {
  const [r] = await q<{ n: number }>(`select count(*)::int as n from ${table} where organization_id = $1`, [
    orgId,
  ]);
  return r?.n ?? 0;
}
