// The contract of /api/admin/jobs: the scheduled jobs and their recent runs, for the Command Center.
import { z } from "zod";
import { pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";

export const JobRunQuery = pageQuery.extend({
  job: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,63}$/, "a job name like retention")
    .optional()
    .describe("Only this job's runs"),
});
export type JobRunQuery = z.output<typeof JobRunQuery>;

export const JobRun = z
  .object({
    id: z.number().int(),
    job: z.string(),
    started_at: Timestamp,
    finished_at: Timestamp.nullable().describe("null while the run is under way (or was cut off)"),
    counts: z.record(z.string(), z.number()).describe("What the run did, e.g. commands_deleted"),
    more: z.boolean().describe("The run's budget ran out before its work did: the next run continues"),
    error: z.string().nullable(),
  })
  .meta({ id: "JobRun" });
export type JobRun = z.infer<typeof JobRun>;

export const JobRunPage = pageSchema(JobRun);

export const ScheduledJob = z
  .object({ name: z.string(), cron: z.string().describe("The cron trigger that fires it (UTC)") })
  .meta({ id: "ScheduledJob" });
export const ScheduledJobList = z.object({ data: z.array(ScheduledJob) });
