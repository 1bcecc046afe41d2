// `npm run jobs -- <name> [--budget N] [--now ISO]` runs one scheduled job by hand against the local stack
// (`npm start`), because `wrangler dev` never fires crons. It runs the job's own code in Node, the way the
// cron handler would (workers/jobs/runner.ts: a monitoring.job_run row, errors in the error log), with the
// stack's own settings from `<data dir>/worker.env` (PostgreSQL through the relay, the master key) and the
// stack's R2 through wrangler's getPlatformProxy on the same persisted state — so retention deletes the
// very chunks the local Worker wrote. `npm run jobs` alone lists the jobs. NOSTROMO_DATA_DIR as for
// `npm start` (default .data). Through the Worker itself, `curl "…/cdn-cgi/handler/scheduled?cron=…"` is
// the other way; docs/data-lifecycle.md says when it works locally.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { neonConfig } from "@neondatabase/serverless";
import { getPlatformProxy } from "wrangler";
import WebSocket from "ws";
import type { Bindings } from "../workers/env.ts";
import { JOBS, jobNamed } from "../workers/jobs/registry.ts";
import { runJob } from "../workers/jobs/runner.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { budget: { type: "string" }, now: { type: "string" } },
});
const name = positionals[0];
if (!name) {
  console.log("usage: npm run jobs -- <name> [--budget N] [--now ISO-8601]\n");
  for (const j of JOBS) console.log(`  ${j.name.padEnd(24)} cron "${j.cron}"`);
  process.exit(0);
}
const job = jobNamed(name);
if (!job) {
  console.error(`no job named "${name}"; jobs: ${JOBS.map((j) => j.name).join(", ")}`);
  process.exit(2);
}
const budget = values.budget === undefined ? undefined : Number(values.budget);
if (budget !== undefined && (!Number.isInteger(budget) || budget < 1)) {
  console.error("--budget: a whole number of rows, at least 1");
  process.exit(2);
}
const now = values.now === undefined ? undefined : new Date(values.now);
if (now && Number.isNaN(now.getTime())) {
  console.error("--now: an ISO-8601 instant like 2026-12-01T00:00:00Z");
  process.exit(2);
}

const dataDir = resolve(process.env.NOSTROMO_DATA_DIR ?? ".data");
let vars: Record<string, string>;
try {
  vars = Object.fromEntries(
    readFileSync(join(dataDir, "worker.env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
} catch {
  console.error(`no local stack settings in ${dataDir}/worker.env: start the stack once with \`npm start\``);
  process.exit(1);
}
// Node 20 has no global WebSocket; the database driver needs one to reach PostgreSQL through the relay.
if (typeof globalThis.WebSocket !== "function") neonConfig.webSocketConstructor = WebSocket;

const proxy = await getPlatformProxy<Bindings>({
  configPath: "wrangler.toml",
  persist: { path: join(dataDir, "wrangler", "v3") },
});
try {
  const env = { ...proxy.env, ...vars } as Bindings;
  const report = await runJob(job, env, { now, budget });
  console.log(JSON.stringify(report, null, 2));
  if (report.error) process.exitCode = 1;
} finally {
  await proxy.dispose();
}
