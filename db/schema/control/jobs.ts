// monitoring.job_run: one row per scheduled-job run (workers/jobs/runner.ts) — what it did, whether work was
// left for the next run, its error — so an operator sees the housekeeping work. monitoring.job_state: where
// a budgeted job stopped (e.g. the last tenant it finished), so the next run resumes after it instead of
// rescanning from the start.
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, jsonb, text, timestamp } from "drizzle-orm/pg-core";
import { monitoringSchema } from "./schemas.ts";

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const jobRun = monitoringSchema.table(
  "job_run",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    job: text("job").notNull(),
    startedAt: tstz("started_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
    counts: jsonb("counts").$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
    more: boolean("more").notNull().default(false),
    error: text("error"),
  },
  (t) => [index("idx_job_run_job_started").on(t.job, t.startedAt.desc())],
);

export const jobState = monitoringSchema.table("job_state", {
  job: text("job").primaryKey(),
  /** Where the last run stopped; null when it finished its work (the next run starts from the beginning). */
  cursor: text("cursor"),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});
