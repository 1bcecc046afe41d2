// Every scheduled job, in one list: the cron handler (workers/index.ts), `npm run jobs` and the job-runs API
// find jobs here. Each job's cron must also be listed under [triggers] crons in wrangler.toml — a test
// (workers/jobs/registry.test.ts) holds the two together.
import { metricsDownsampleJob } from "./metrics.ts";
import { partitionMaintenance } from "./partitions.ts";
import { retentionJob } from "./retention.ts";
import type { Job } from "./types.ts";

export const JOBS: readonly Job[] = [metricsDownsampleJob, retentionJob, partitionMaintenance];

export function jobNamed(name: string): Job | undefined {
  return JOBS.find((j) => j.name === name);
}

/** The jobs a cron trigger fires, in registry order. */
export function jobsFor(cron: string): Job[] {
  return JOBS.filter((j) => j.cron === cron);
}
