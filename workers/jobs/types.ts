// The shape of a scheduled job: every job is idempotent, bounded per run (a row budget) and resumable
// (a rerun continues where the last stopped), so a cron firing twice or a run cut short is harmless.

import type { Bindings } from "../env.ts";
import type { Databases } from "../db/databases.ts";

export interface JobContext {
  env: Bindings;
  dbs: Databases;
  /** The clock the job reads; tests pass their own. */
  now: Date;
  /** The most rows one run may touch before it stops and reports `more: true`. */
  budget: number;
}

export interface JobResult {
  /** Counts by what was done, e.g. { recordings_deleted: 3, audit_rows_deleted: 120 }. */
  counts: Record<string, number>;
  /** True when the budget ran out before the work did (the next run continues). */
  more: boolean;
}

export interface Job {
  name: string;
  /** The cron expression in wrangler.toml that fires it. */
  cron: string;
  run(ctx: JobContext): Promise<JobResult>;
}
