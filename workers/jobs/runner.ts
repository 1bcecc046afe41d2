// Runs scheduled jobs: each run gets a monitoring.job_run row (started, finished, counts, more, error), and a
// failed run also an entry in the monitoring error log — a cron that fails is seen in the Command Center, not
// only in a log tail. One job failing never stops the others of the same cron. Used by the cron handler
// (workers/index.ts), the local `npm run jobs` trigger and the integration tests (which pass `now`).
import { withDatabases } from "../db/databases.ts";
import type { Bindings } from "../env.ts";
import { jobsFor } from "./registry.ts";
import { jobFailed, runFinished, runStarted } from "./store.ts";
import type { Job, JobResult } from "./types.ts";

/** Rows one run may touch unless the caller says otherwise: minutes of work at most, well inside a cron's
 * CPU and wall-time limits, and small enough that a statement never holds locks for long. */
export const DEFAULT_BUDGET = 5_000;

export interface RunOptions {
  now?: Date;
  budget?: number;
}

export interface JobRunReport extends JobResult {
  job: string;
  error: string | null;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

export async function runJob(job: Job, env: Bindings, opts: RunOptions = {}): Promise<JobRunReport> {
  const now = opts.now ?? new Date();
  const budget = opts.budget ?? DEFAULT_BUDGET;
  return withDatabases(env, async (dbs) => {
    const runId = await dbs.control((db) => runStarted(db, job.name, now));
    try {
      const result = await job.run({ env, dbs, now, budget });
      await dbs.control((db) => runFinished(db, runId, { ...result, error: null }));
      return { job: job.name, ...result, error: null };
    } catch (err) {
      const error = messageOf(err);
      console.error(`[jobs] ${job.name} failed: ${error}`);
      await dbs.control(async (db) => {
        await runFinished(db, runId, { counts: {}, more: true, error });
        await jobFailed(db, job.name, error, runId);
      });
      return { job: job.name, counts: {}, more: true, error };
    }
  });
}

/** Every job of a cron trigger, one after another. A cron no job claims is logged, not ignored silently. */
export async function runCron(cron: string, env: Bindings, opts: RunOptions = {}): Promise<JobRunReport[]> {
  const jobs = jobsFor(cron);
  if (jobs.length === 0) console.error(`[jobs] no job for cron "${cron}"`);
  const reports: JobRunReport[] = [];
  for (const job of jobs) {
    try {
      reports.push(await runJob(job, env, opts));
    } catch (err) {
      // The run could not even be recorded (the control database is down): the log is all there is.
      console.error(`[jobs] ${job.name} could not run: ${messageOf(err)}`);
      reports.push({ job: job.name, counts: {}, more: true, error: messageOf(err) });
    }
  }
  return reports;
}
