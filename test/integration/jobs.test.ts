// Scheduled jobs as the Worker runs them, against the real PostgreSQL: the cron handler dispatches on the
// cron that fired and records the run, metric downsampling moves whole buckets within its budget and the
// next run goes on, a failing job leaves its error on its run row and in the monitoring error log, and the
// Command Center lists jobs and runs. Retention: retention.test.ts.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.ts";
import { metricsDownsampleJob } from "../../workers/jobs/metrics.ts";
import { runJob } from "../../workers/jobs/runner.ts";
import { provision, sqlQuery, superAdmin, tenantClient } from "../support/api.ts";

type Meta = Record<string, unknown>;

describe("cron dispatch", () => {
  it("runs the job of the cron that fired (metric downsampling) and records the run", async () => {
    const t = await provision(await superAdmin());
    const [agent] = await sqlQuery<{ id: string }>(
      `insert into command.agents (tenant_id, name, public_key) values ($1, 'cron-agent', 'AAAA') returning id`,
      [t.id],
    );
    // Three raw samples in one 5-minute bucket three hours ago: one averaged 5m row afterwards.
    const bucket = Math.floor((Date.now() - 3 * 3_600_000) / 300_000) * 300_000;
    for (const [i, cpu] of [10, 20, 30].entries()) {
      await sqlQuery(
        `insert into monitoring.agent_metrics (agent_id, tenant_id, resolution, recorded_at, cpu_load_pct)
         values ($1, $2, 'raw', $3, $4)`,
        [agent?.id, t.id, new Date(bucket + i * 60_000).toISOString(), cpu],
      );
    }
    const scheduledTime = Date.now();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const rows = await sqlQuery<{ resolution: string; recorded_at: Date; cpu_load_pct: number }>(
      `select resolution, recorded_at, cpu_load_pct from monitoring.agent_metrics where agent_id = $1`,
      [agent?.id],
    );
    expect(rows.map((r) => [r.resolution, new Date(r.recorded_at).getTime(), r.cpu_load_pct])).toEqual([
      ["5m", bucket, 20],
    ]);
    const runs = await sqlQuery<{ job: string; error: string | null; counts: Meta }>(
      `select job, error, counts from monitoring.job_run where started_at = $1`,
      [new Date(scheduledTime).toISOString()],
    );
    expect(runs.map((r) => r.job)).toEqual(["metrics-downsample"]);
    expect(runs[0]?.error).toBeNull();
    expect(Number(runs[0]?.counts.raw_rolled_up)).toBeGreaterThanOrEqual(3);
  });

  it("lists the jobs and their recent runs to super admins only", async () => {
    const root = await superAdmin();
    const jobs = await root.get<{ data: { name: string; cron: string }[] }>("/api/admin/jobs");
    expect(jobs.status).toBe(200);
    expect(jobs.body.data).toEqual(
      expect.arrayContaining([
        { name: "retention", cron: "17 * * * *" },
        { name: "metrics-downsample", cron: "*/5 * * * *" },
      ]),
    );
    const runs = await root.get<{ data: { job: string; more: boolean }[] }>(
      "/api/admin/jobs/runs?job=retention",
    );
    expect(runs.status).toBe(200);
    expect(runs.body.data.every((r) => r.job === "retention")).toBe(true);
    expect((await root.get("/api/admin/jobs/runs?job=Bad%20Name")).status).toBe(400);
    const admin = await tenantClient(await provision(root));
    expect((await admin.get("/api/admin/jobs/runs")).status).toBe(403);
  });

  it("downsampling moves whole buckets within its budget, the next run the rest; no bucket averaged twice", async () => {
    const t = await provision(await superAdmin());
    const [agent] = await sqlQuery<{ id: string }>(
      `insert into command.agents (tenant_id, name, public_key) values ($1, 'budget-agent', 'AAAA') returning id`,
      [t.id],
    );
    // Three 5-minute buckets, two samples each, five hours ago.
    const first = Math.floor((Date.now() - 5 * 3_600_000) / 300_000) * 300_000;
    const buckets = [0, 1, 2].map((i) => first + i * 300_000);
    for (const [i, b] of buckets.entries()) {
      for (const cpu of [10 * (i + 1), 10 * (i + 1) + 2]) {
        await sqlQuery(
          `insert into monitoring.agent_metrics (agent_id, tenant_id, resolution, recorded_at, cpu_load_pct)
           values ($1, $2, 'raw', $3, $4)`,
          [agent?.id, t.id, new Date(b + cpu * 1000).toISOString(), cpu],
        );
      }
    }
    const rows = () =>
      sqlQuery<{ resolution: string; at: string; cpu: number }>(
        `select resolution::text, extract(epoch from recorded_at) * 1000 as at, cpu_load_pct as cpu
         from monitoring.agent_metrics where agent_id = $1 order by recorded_at, resolution`,
        [agent?.id],
      );
    const runs: boolean[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await runJob(metricsDownsampleJob, env, { budget: 3 });
      expect(r.error).toBeNull();
      runs.push(r.more);
      if (i === 0) expect((await rows()).filter((x) => x.resolution === "raw")).toHaveLength(4);
      if (!r.more) break;
    }
    expect(runs.at(-1)).toBe(false);
    expect(runs.length).toBeGreaterThan(1);
    expect((await rows()).map((x) => [x.resolution, Number(x.at), x.cpu])).toEqual([
      ["5m", buckets[0], 11],
      ["5m", buckets[1], 21],
      ["5m", buckets[2], 31],
    ]);
  });

  it("a job that fails leaves its error on its run row and in the monitoring error log", async () => {
    const message = `disk on fire ${Date.now()}`;
    const failing = {
      name: "always-fails",
      cron: "0 0 1 1 *",
      run: async () => {
        throw new Error(message);
      },
    };
    const r = await runJob(failing, env);
    expect(r).toMatchObject({ job: "always-fails", error: message, more: true });
    const [run] = await sqlQuery<{ id: string; error: string; finished_at: Date | null }>(
      `select id, error, finished_at from monitoring.job_run where job = 'always-fails' and error = $1`,
      [message],
    );
    expect(run?.finished_at).not.toBeNull();
    const logged = await sqlQuery<{ source: string; metadata: Meta }>(
      `select source, metadata from monitoring.error_log where message = $1`,
      [`always-fails: ${message}`],
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      source: "job",
      metadata: { job: "always-fails", job_run_id: Number(run?.id) },
    });
  });
});
