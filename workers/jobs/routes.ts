// /api/admin/jobs (super admins): the scheduled jobs and their recent runs — what retention deleted, whether
// a budget ran out, which run failed.
import { Hono } from "hono";
import { requireSuperAdmin } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../lib/validate.ts";
import { requestPlatform } from "../tenancy/platform-context.ts";
import { JobRunPage, JobRunQuery, ScheduledJobList } from "./schemas.ts";
import { listJobs, listRuns } from "./service.ts";

const TAG = "Command Center";

export const jobsRoutes = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())
  .get(
    "/",
    op({
      tag: TAG,
      summary: "The scheduled jobs and the cron that fires each",
      access: "super admin",
      responses: { 200: ScheduledJobList },
      errors: ["FORBIDDEN"],
    }),
    (c) => c.json(listJobs()),
  )
  .get(
    "/runs",
    op({
      tag: TAG,
      summary: "Recent runs of the scheduled jobs, newest first",
      access: "super admin",
      query: JobRunQuery,
      responses: { 200: JobRunPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => c.json(await listRuns(requestPlatform(c), readQuery(c, JobRunQuery))),
  );
