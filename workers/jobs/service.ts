// The Command Center's view of scheduled jobs: what is registered and what recent runs did.
import { iso, isoOrNull, pageOf, pageOffset } from "../contract/schemas.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import { JOBS } from "./registry.ts";
import type { JobRun, JobRunQuery } from "./schemas.ts";
import { recentRuns } from "./store.ts";

type RunRow = Awaited<ReturnType<typeof recentRuns>>["rows"][number];

export function presentRun(r: RunRow): JobRun {
  return {
    id: r.id,
    job: r.job,
    started_at: iso(r.startedAt),
    finished_at: isoOrNull(r.finishedAt),
    counts: r.counts,
    more: r.more,
    error: r.error,
  };
}

export function listJobs() {
  return { data: JOBS.map((j) => ({ name: j.name, cron: j.cron })) };
}

export async function listRuns(ctx: PlatformContext, q: JobRunQuery) {
  const { rows, total } = await recentRuns(ctx.control, {
    job: q.job,
    limit: q.page_size,
    offset: pageOffset(q),
  });
  return pageOf(q, rows.map(presentRun), total);
}
