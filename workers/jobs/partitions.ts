// Partition maintenance of audit_log (monthly) and command (weekly) in every tenant database — the pooled
// one and each dedicated PostgreSQL: creates the partitions ahead of time, gives rows that landed in
// DEFAULT their partition once their period is due, and detaches and drops partitions whose every row is
// past the longest retention among the tenants of that database (docs/data-lifecycle.md, "Partitioning").
// A tenant with a shorter retention loses its rows earlier by the retention job's DELETE; a legal hold in
// the database suspends drops. Idempotent (the plan is recomputed from what exists), bounded by the budget
// in rows moved out of DEFAULT (a period's move is one transaction, so a run may pass the budget by one
// period), resumable (the next run plans again from what is there).
import { and, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { tenants } from "../../db/schema/control/tenants.ts";
import {
  anyLegalHold,
  longestRetention,
  PARTITIONED,
  type PartitionSpec,
  planPartitions,
} from "./partition-plan.ts";
import {
  createPartition,
  dropPartition,
  isPartitioned,
  organizationSettings,
  partitionsOf,
  periodsInDefault,
} from "./partition-store.ts";
import type { Job, JobResult } from "./types.ts";

type Counts = Record<string, number>;
const add = (c: Counts, k: string, n: number) => {
  c[k] = (c[k] ?? 0) + n;
};

async function maintainTable(db: Db, spec: PartitionSpec, now: Date, budget: number, counts: Counts) {
  if (!(await isPartitioned(db, spec))) return { spent: 0, more: false };
  const settings = await organizationSettings(db);
  const plan = planPartitions(spec, {
    now,
    existing: await partitionsOf(db, spec),
    inDefault: await periodsInDefault(db, spec),
    retentionDays: longestRetention(spec, settings),
    hold: anyLegalHold(settings),
  });
  let spent = 0;
  for (const op of plan.create) {
    if (spent >= budget) return { spent, more: true };
    const moved = await createPartition(db, spec, op);
    spent += moved;
    add(counts, `${spec.table}_partitions_created`, 1);
    add(counts, `${spec.table}_rows_moved_from_default`, moved);
  }
  for (const op of plan.drop) {
    await dropPartition(db, spec, op.name);
    add(counts, `${spec.table}_partitions_dropped`, 1);
  }
  return { spent, more: false };
}

/** Maintains both tables of one database; the pure planner decides, partition-store.ts applies. */
export async function maintainPartitions(db: Db, now: Date, budget: number): Promise<JobResult> {
  const counts: Counts = {};
  let left = budget;
  for (const spec of PARTITIONED) {
    const r = await maintainTable(db, spec, now, left, counts);
    left -= r.spent;
    if (r.more) return { counts, more: true };
  }
  return { counts, more: false };
}

export const partitionMaintenance: Job = {
  name: "partitions",
  cron: "15 3 * * *",
  async run(ctx) {
    const dedicated = await ctx.dbs.control((db) =>
      db
        .select({ id: tenants.id })
        .from(tenants)
        .where(
          and(
            eq(tenants.dbMode, "dedicated"),
            eq(tenants.driverType, "postgresql"),
            isNotNull(tenants.dbConfigEncrypted),
          ),
        ),
    );
    const counts: Counts = {};
    let left = ctx.budget;
    const failures: string[] = [];
    const databases: { label: string; run: (fn: (db: Db) => Promise<JobResult>) => Promise<JobResult> }[] = [
      { label: "pooled", run: (fn) => ctx.dbs.control(fn) },
      ...dedicated.map((t) => ({
        label: t.id,
        run: (fn: (db: Db) => Promise<JobResult>) => ctx.dbs.tenant(t.id, fn),
      })),
    ];
    for (const database of databases) {
      if (left <= 0) return { counts, more: true };
      try {
        const r = await database.run((db) => maintainPartitions(db, ctx.now, left));
        for (const [k, n] of Object.entries(r.counts)) add(counts, k, n);
        left -= r.counts.audit_log_rows_moved_from_default ?? 0;
        left -= r.counts.command_rows_moved_from_default ?? 0;
        add(counts, "databases", 1);
        if (r.more) return { counts, more: true };
      } catch (err) {
        // One unreachable dedicated database must not stop the others; the run still fails at the end.
        failures.push(`${database.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (failures.length)
      throw new Error(
        `partition maintenance failed for ${failures.join("; ")} (done: ${JSON.stringify(counts)})`,
      );
    return { counts, more: false };
  },
};
