// Bursts of concurrent authenticated requests (`GET /api/auth/me`: a login lookup and a user read, each
// request on PostgreSQL connections of its own — a stateless Worker may not share I/O across requests)
// against a fresh local stack, next to the same bursts of a request that reaches no route (a 404 — which
// still reads the tenant and the login before routing): the baseline of the same run. Per wave: statuses,
// p50 / p99 / max latency. Sent straight to the Worker's workerd (past wrangler dev's proxy) when
// BURST_DIRECT=1. Waves: BURST_WAVES (default "1,50,200,200,1": the first single request is the unloaded
// baseline, the last one shows the recovery). The Worker's "database unavailable"
// lines are counted with their reasons. Per wave also where the connections go: connections opened through
// the local relay, the most open at once at the relay and at PostgreSQL (pg_stat_activity's client
// backends, sampled every 50 ms), and how long one direct PostgreSQL connect takes in the middle of it.
// BURST_POOLER=0 runs the Worker without the local pooler (straight to PostgreSQL, as before it existed).
// Run: npx tsx bench/request-burst.ts
import { loadavg } from "node:os";
import { DEMO_ADMIN, Http } from "@nostromo/testkit";
import pg from "pg";
import { pct, startBareStack } from "./live-stack.ts";
import { workerDirectUrl } from "./worker-direct.ts";

const WAVES = (process.env.BURST_WAVES ?? "1,50,200,200,1").split(",").map(Number);
const PAUSE_MS = 5_000;

const reasons = new Map<string, number>();
const { port, stack, stop } = await startBareStack("burst", {
  noPooler: process.env.BURST_POOLER === "0",
  workerOutput: (line) => {
    const m = /"msg":"database unavailable".*?"error":\[[^\]]*?","([^"]+)"/.exec(line);
    if (m?.[1]) reasons.set(m[1], (reasons.get(m[1]) ?? 0) + 1);
  },
});

const probe = new pg.Client({ connectionString: stack.databaseUrl });
await probe.connect();
const backends = async () =>
  Number(
    (
      await probe.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where backend_type = 'client backend'",
      )
    ).rows[0]?.n,
  );

/** Connections seen while `work` runs: opened through the relay, most at once, one direct connect's time. */
async function watched(work: Promise<string>): Promise<string> {
  const opened0 = stack.relayOpened();
  let relayMax = 0;
  let pgMax = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      relayMax = Math.max(relayMax, stack.relayConnections());
      pgMax = Math.max(pgMax, (await backends()) - 1);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const connectMs = (async () => {
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const c = new pg.Client({ connectionString: stack.databaseUrl, connectionTimeoutMillis: 30_000 });
    try {
      await c.connect();
      return `${(performance.now() - t0).toFixed(0)} ms`;
    } catch (e) {
      return (e as Error).message;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  const result = await work;
  done = true;
  await sampler;
  return `${result} | relay opened ${stack.relayOpened() - opened0}, at once ≤ ${relayMax}; PostgreSQL backends ≤ ${pgMax}; one connect ${await connectMs}`;
}

async function wave(http: Http, path: string, n: number): Promise<string> {
  return watched(burst(http, path, n));
}

async function burst(http: Http, path: string, n: number): Promise<string> {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  await Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = performance.now();
      const status = await http.call("GET", path).then(
        (r) => String(r.status),
        (e: Error) => e.message,
      );
      latencies.push(performance.now() - t0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }),
  );
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  return `${JSON.stringify(Object.fromEntries(statuses))} p50 ${s(pct(latencies, 50))} p99 ${s(pct(latencies, 99))} max ${s(Math.max(...latencies))}`;
}

try {
  let base = stack.url;
  if (process.env.BURST_DIRECT === "1") {
    const direct = await workerDirectUrl(stack.pids().workerd, port);
    if (!direct) throw new Error("the Worker's own port was not found");
    base = direct;
  }
  const admin = new Http(base, stack.demoTenantId);
  await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
  const via = stack.workerDatabaseUrl === stack.databaseUrl ? "no pooler" : "through PgBouncer";
  console.log(`request bursts against ${base}, database ${via} (load average ${loadavg()[0]?.toFixed(1)})`);
  for (const n of WAVES) {
    console.log(
      `${String(n).padStart(4)} × no route (404)    : ${await wave(admin, "/api/no-such-route", n)}`,
    );
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    console.log(`${String(n).padStart(4)} × GET /api/auth/me:  ${await wave(admin, "/api/auth/me", n)}`);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  console.log(`"database unavailable" reasons: ${JSON.stringify(Object.fromEntries(reasons))}`);
} finally {
  await probe.end();
  await stop();
}
