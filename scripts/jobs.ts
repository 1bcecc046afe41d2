// `npm run jobs -- <name>` fires one scheduled job on the local stack (`npm start`) exactly as its cron
// would: through the Worker's own scheduled handler, `GET /cdn-cgi/handler/scheduled?cron=<its cron>` —
// `wrangler dev` never fires crons by itself. Each job has a cron of its own (workers/jobs/registry.test.ts),
// so the cron names the job. The run is recorded like any other (monitoring.job_run, GET
// /api/admin/jobs/runs) and works on the stack's own PostgreSQL and R2. `npm run jobs` alone lists the
// jobs. NOSTROMO_URL (default http://localhost:$PORT, PORT defaulting to 8787) names the Worker.
import { JOBS, jobNamed } from "../workers/jobs/registry.ts";

const name = process.argv[2];
const base = process.env.NOSTROMO_URL ?? `http://localhost:${process.env.PORT ?? "8787"}`;

if (!name) {
  console.log("usage: npm run jobs -- <name>\n");
  for (const j of JOBS) console.log(`  ${j.name.padEnd(24)} cron "${j.cron}"`);
  process.exit(0);
}
const job = jobNamed(name);
if (!job) {
  console.error(`no job named "${name}"; jobs: ${JOBS.map((j) => j.name).join(", ")}`);
  process.exit(2);
}
const url = `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(job.cron)}`;
let res: Response;
try {
  res = await fetch(url);
} catch (err) {
  console.error(`could not reach the Worker at ${base} (is \`npm start\` running?): ${String(err)}`);
  process.exit(1);
}
const body = (await res.text()).trim();
if (!res.ok) {
  console.error(`${job.name}: the scheduled handler answered ${res.status} ${body}`);
  process.exit(1);
}
console.log(
  `${job.name}: ran (${url}); its row is in monitoring.job_run — GET /api/admin/jobs/runs?job=${job.name}`,
);
