// The control-plane rows of scheduled jobs: a row per run (monitoring.job_run), a job's resume point
// (monitoring.job_state), a failed run's entry in the monitoring error log, and the tenants a per-tenant job
// walks. Platform tables, not tenant data: no tenant scope applies.
import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { jobRun, jobState } from "../../db/schema/control/jobs.ts";
import { errorLog } from "../../db/schema/control/monitoring.ts";
import { tenants } from "../../db/schema/control/tenants.ts";

export async function runStarted(db: Db, job: string, startedAt: Date): Promise<number> {
  const [row] = await db.insert(jobRun).values({ job, startedAt }).returning({ id: jobRun.id });
  if (!row) throw new Error("job_run insert returned no row");
  return row.id;
}

export async function runFinished(
  db: Db,
  id: number,
  r: { counts: Record<string, number>; more: boolean; error: string | null },
): Promise<void> {
  await db
    .update(jobRun)
    .set({ finishedAt: sql`now()`, counts: r.counts, more: r.more, error: r.error })
    .where(eq(jobRun.id, id));
}

export async function jobFailed(db: Db, job: string, message: string, runId: number | null): Promise<void> {
  await db.insert(errorLog).values({
    source: "job",
    level: "error",
    message: `${job}: ${message}`.slice(0, 2000),
    metadata: { job, job_run_id: runId },
  });
}

export async function recentRuns(db: Db, q: { job?: string; limit: number; offset: number }) {
  const where = q.job ? eq(jobRun.job, q.job) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(jobRun)
      .where(where)
      .orderBy(desc(jobRun.startedAt), desc(jobRun.id))
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(jobRun).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function readCursor(db: Db, job: string): Promise<string | null> {
  const [row] = await db.select({ cursor: jobState.cursor }).from(jobState).where(eq(jobState.job, job));
  return row?.cursor ?? null;
}

export async function writeCursor(db: Db, job: string, cursor: string | null): Promise<void> {
  await db
    .insert(jobState)
    .values({ job, cursor })
    .onConflictDoUpdate({ target: jobState.job, set: { cursor, updatedAt: sql`now()` } });
}

/** Live PostgreSQL tenants after `after` (by id), in id order: the walk of a per-tenant job (`only`: a
 * subset of them, for tests that share the database with others). */
export async function tenantsAfter(
  db: Db,
  after: string | null,
  limit: number,
  only?: readonly string[],
): Promise<string[]> {
  const rows = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(
      and(
        isNull(tenants.deletedAt),
        inArray(tenants.status, ["active", "suspended"]),
        eq(tenants.driverType, "postgresql"),
        after ? gt(tenants.id, after) : undefined,
        only ? inArray(tenants.id, [...only]) : undefined,
      ),
    )
    .orderBy(asc(tenants.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
