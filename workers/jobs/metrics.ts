// Metric downsampling (moved here from agent-link/store.ts): raw agent samples older than an hour become
// 5-minute averages, 5-minute ones older than a day hourly ones, hourly ones older than 30 days go — the
// bounded history docs/monitoring reads. Each step moves whole time buckets, up to the run's row budget
// (a bucket never split between runs, so no bucket gets two averaged rows); what is left waits for the next
// run. Idempotent: a rerun finds nothing older than its thresholds left to move.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { Job, JobContext, JobResult } from "./types.ts";

type Resolution = "raw" | "5m" | "1h";

interface Roll {
  from: Resolution;
  to: Resolution;
  seconds: number;
  olderThan: string;
}

const ROLLS: readonly Roll[] = [
  { from: "raw", to: "5m", seconds: 300, olderThan: "1 hour" },
  { from: "5m", to: "1h", seconds: 3600, olderThan: "1 day" },
];
const HOURLY_KEPT = "30 days";

/** Moves up to ~budget rows of `r.from` into averaged `r.to` rows; the rows moved and whether any remain. */
async function roll(db: Db, r: Roll, now: Date, budget: number): Promise<{ moved: number; more: boolean }> {
  const at = now.toISOString();
  const bucket = (col: string) =>
    sql.raw(`to_timestamp(floor(extract(epoch from ${col}) / ${r.seconds}) * ${r.seconds})`);
  const due = sql`resolution = ${r.from}::monitoring.metric_resolution
    and recorded_at < ${at}::timestamptz - ${r.olderThan}::interval`;
  // The upper bound: the start of the bucket holding the budget-th due row (whole buckets only), at least
  // the end of the first due bucket (one bucket larger than the budget still moves), at most the threshold.
  const result = await db.execute<{ moved: number; more: boolean }>(sql`
    with bound as (
      select least(
        ${at}::timestamptz - ${r.olderThan}::interval,
        greatest(
          coalesce((select ${bucket("recorded_at")} from monitoring.agent_metrics where ${due}
                    order by recorded_at offset ${budget} limit 1), 'infinity'::timestamptz),
          (select ${bucket("min(recorded_at)")} + ${`${r.seconds} seconds`}::interval
             from monitoring.agent_metrics where ${due})
        )
      ) as upper
    ), moved as (
      delete from monitoring.agent_metrics
      where ${due} and recorded_at < (select upper from bound)
      returning agent_id, tenant_id, recorded_at, cpu_load_pct, memory_usage_pct, disk_usage_pct, active_connections
    ), written as (
      insert into monitoring.agent_metrics (agent_id, tenant_id, resolution, recorded_at, cpu_load_pct,
        memory_usage_pct, disk_usage_pct, active_connections)
      select agent_id, tenant_id, ${r.to}::monitoring.metric_resolution, ${bucket("recorded_at")},
             avg(cpu_load_pct), avg(memory_usage_pct), avg(disk_usage_pct), max(active_connections)
      from moved group by 1, 2, 4
      returning 1
    )
    select (select count(*) from moved)::int as moved,
           exists (select 1 from monitoring.agent_metrics
                   where ${due} and recorded_at >= (select upper from bound)) as more`);
  const row = result.rows[0];
  return { moved: row?.moved ?? 0, more: row?.more ?? false };
}

async function dropOldHourly(db: Db, now: Date, budget: number): Promise<{ deleted: number; more: boolean }> {
  const old = sql`resolution = '1h' and recorded_at < ${now.toISOString()}::timestamptz - ${HOURLY_KEPT}::interval`;
  const result = await db.execute<{ deleted: number; more: boolean }>(sql`
    with gone as (
      delete from monitoring.agent_metrics where id in (
        select id from monitoring.agent_metrics where ${old} order by recorded_at limit ${budget})
      returning 1
    )
    select (select count(*) from gone)::int as deleted,
           (select count(*) from monitoring.agent_metrics where ${old}) > (select count(*) from gone) as more`);
  const row = result.rows[0];
  return { deleted: row?.deleted ?? 0, more: row?.more ?? false };
}

export const metricsDownsampleJob: Job = {
  name: "metrics-downsample",
  cron: "*/5 * * * *",
  async run({ dbs, now, budget }: JobContext): Promise<JobResult> {
    return dbs.control(async (db) => {
      const counts: Record<string, number> = {};
      let left = budget;
      let more = false;
      for (const r of ROLLS) {
        if (left <= 0) {
          more = true;
          break;
        }
        const done = await roll(db, r, now, left);
        counts[`${r.from}_rolled_up`] = done.moved;
        left -= done.moved;
        more ||= done.more;
      }
      if (left > 0) {
        const dropped = await dropOldHourly(db, now, left);
        counts.hourly_deleted = dropped.deleted;
        more ||= dropped.more;
      } else more = true;
      return { counts, more };
    });
  },
};
