// Agent footprint: resident memory when idle and CPU per metrics cycle, for the real agent connected to
// the real edge (wrangler dev + PostgreSQL), beside baselines measured in the same run: an idle Node
// process, and one with the TypeScript loader (tsx) that `npm start` runs the agent's sources with. The
// agent itself is measured as the container runs it: the esbuild bundle.
// Run: npx tsx bench/agent.ts   (about a minute)
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureDatabase } from "../db/node.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { startStack } from "../infra/dev/stack.ts";

const ROOT = resolve(import.meta.dirname, "..");
const WARMUP_MS = 15_000;
const WINDOW_MS = 20_000;
const METRICS_INTERVAL_MS = 1_000;
const TICK = 100; // clock ticks per second on Linux (getconf CLK_TCK)

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? Number.NaN);
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(child: ChildProcess) {
  const pid = child.pid as number;
  await sleep(WARMUP_MS);
  const rss: number[] = [];
  const t0 = cpuTicks(pid);
  const start = Date.now();
  while (Date.now() - start < WINDOW_MS) {
    rss.push(rssKiB(pid));
    await sleep(1000);
  }
  const cpuMs = ((cpuTicks(pid) - t0) / TICK) * 1000;
  return { rssMiB: median(rss) / 1024, cpuMsPerSecond: cpuMs / (WINDOW_MS / 1000) };
}

function node(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: "/root", ...env },
    stdio: "ignore",
  });
}

const dir = mkdtempSync(join(tmpdir(), "nostromo-bench-agent-"));
const pg = await startPostgres({ dataDir: join(dir, "pg"), persistent: false });
await ensureDatabase(pg.url("postgres"), "bench");
const port = await freePort();
const demoAdmin = { email: "admin@bench.example", password: "bench-admin-password" };
const stack = await startStack({
  dataDir: join(dir, "data"),
  port,
  databaseUrl: pg.url("bench"),
  superAdmin: { email: "root@bench.example", password: "bench-root-password" },
  demoAdmin,
  masterKey: "bench-master-key-0123456789-0123456789-01",
  quietWorker: true,
});
const children: ChildProcess[] = [];
try {
  const headers = { "content-type": "application/json", "x-tenant-id": stack.demoTenantId };
  const login = await fetch(`${stack.url}/api/auth/login`, {
    method: "POST",
    headers,
    body: JSON.stringify(demoAdmin),
  });
  const sid = /sid=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const tok = await fetch(`${stack.url}/api/agents/enrollment-tokens`, {
    method: "POST",
    headers: { ...headers, cookie: `sid=${sid}`, "x-csrf-token": csrf_token },
    body: "{}",
  });
  const { token } = (await tok.json()) as { token: string };

  const bare = node(["-e", "setInterval(() => {}, 1000)"]);
  const withTsx = node(["--import", "tsx", "-e", "setInterval(() => {}, 1000)"]);
  // What the container image runs: the esbuild bundle (npm run build -w @nostromo/agent).
  const built = spawnSync("npm", ["run", "build", "-w", "@nostromo/agent"], { cwd: ROOT, stdio: "ignore" });
  if (built.status !== 0) throw new Error("agent build failed");
  const agent = node(["containers/agent/dist/main.mjs"], {
    NOSTROMO_URL: `http://127.0.0.1:${port}`,
    NOSTROMO_ENROLL_TOKEN: token,
    NOSTROMO_STATE_DIR: join(dir, "agent"),
    NOSTROMO_METRICS_INTERVAL_MS: String(METRICS_INTERVAL_MS),
    NOSTROMO_LOG_LEVEL: "warn",
  });
  children.push(bare, withTsx, agent);
  const [b, t, a] = await Promise.all([measure(bare), measure(withTsx), measure(agent)]);
  const perCycle = (a.cpuMsPerSecond * METRICS_INTERVAL_MS) / 1000;
  const perCycleBaseline = (t.cpuMsPerSecond * METRICS_INTERVAL_MS) / 1000;
  console.log(
    `agent footprint (median RSS over ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up; metrics every ${METRICS_INTERVAL_MS} ms)`,
  );
  console.log("| process | RSS MiB | CPU ms per second | CPU ms per metrics cycle |");
  console.log("|---|---|---|---|");
  console.log(`| baseline: idle node | ${b.rssMiB.toFixed(1)} | ${b.cpuMsPerSecond.toFixed(2)} | – |`);
  console.log(
    `| baseline: idle node + tsx loader | ${t.rssMiB.toFixed(1)} | ${t.cpuMsPerSecond.toFixed(2)} | ${perCycleBaseline.toFixed(2)} |`,
  );
  console.log(
    `| nostromo agent (linked, reporting) | ${a.rssMiB.toFixed(1)} | ${a.cpuMsPerSecond.toFixed(2)} | ${perCycle.toFixed(2)} |`,
  );
  console.log(
    `agent RSS over the idle-node baseline: ${(a.rssMiB - b.rssMiB).toFixed(1)} MiB; goal: idle under 80 MiB → ${a.rssMiB < 80 ? "met" : "NOT met"}`,
  );
} finally {
  for (const c of children) c.kill("SIGTERM");
  await sleep(500);
  await stack.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
