// How much of the Worker isolate's memory each viewer join (and each plain API request) leaves behind,
// measured without wrangler dev: the Worker runs in workerd through Miniflare (bench/miniflare-worker.ts)
// and the probe talks to workerd's own inspector, enabling nothing (bench/cdp.ts). A real stack otherwise:
// PostgreSQL through the relay, the agent, an OpenSSH sshd, one live session.
//
//   npx tsx bench/join-heap.ts
//
// Phases: a warm-up (JIT, module caches), then JOIN_HEAP_JOINS viewer joins one after another (each opens
// the viewer socket, waits for the screen snapshot, closes and waits for the close), then as many plain
// authenticated requests (GET of the session). Before and after each phase the JS heap after a full
// collection; retained bytes per join / per request = the difference over the count. With
// JOIN_HEAP_SNAPSHOTS=1 (default) a heap snapshot before and after the joins, diffed by constructor: what
// is retained. JOIN_HEAP_WARMUP (default 30), JOIN_HEAP_JOINS (default 300), JOIN_HEAP_SAVE=<file> keeps the
// second snapshot (for bench/heap-retainers.ts), JOIN_HEAP_VERBOSE=1 prints the Worker's output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  agentOnline,
  DEMO_ADMIN,
  enrollmentToken,
  Http,
  sshdConnection,
  startAgent,
  startSshd,
  Viewer,
} from "@nostromo/testkit";
import { ensureDatabase, migratePlatform, nodeDb } from "../db/node.ts";
import { ensureDemoTenant, ensureSuperAdmin } from "../infra/dev/bootstrap.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { startRelay } from "../infra/dev/ws-relay.ts";
import { Cdp } from "./cdp.ts";
import { growth, summariseSnapshot } from "./heap-snapshot.ts";
import { loadLine } from "./live-stack.ts";
import { startMiniflareWorker } from "./miniflare-worker.ts";

const env = process.env;
const WARMUP = Number(env.JOIN_HEAP_WARMUP ?? 30);
const JOINS = Number(env.JOIN_HEAP_JOINS ?? 300);
const SNAPSHOTS = env.JOIN_HEAP_SNAPSHOTS !== "0";
const MASTER_KEY = "join-heap-master-key-0123456789-0123456789";
const UNCAUGHT = /Uncaught|uncaught|Unhandled/;

const dir = mkdtempSync(join(tmpdir(), "nostromo-join-heap-"));
const cleanups: (() => Promise<unknown>)[] = [];
const workerErrors: string[] = [];

async function main(): Promise<void> {
  const pg = await startPostgres({ dataDir: join(dir, "pg"), persistent: false });
  cleanups.push(() => pg.stop());
  await ensureDatabase(pg.url("postgres"), "joinheap");
  const databaseUrl = pg.url("joinheap");
  await migratePlatform(databaseUrl);
  const { db, pool } = nodeDb(databaseUrl);
  await ensureSuperAdmin(db, "root@join-heap.example", "join-heap-root-password");
  const tenantId = await ensureDemoTenant(db, MASTER_KEY, DEMO_ADMIN);
  await pool.end();
  const relay = await startRelay();
  cleanups.push(() => relay.close());
  const worker = await startMiniflareWorker({
    dir,
    port: await freePort(),
    inspectorPort: await freePort(),
    vars: {
      DATABASE_URL: databaseUrl,
      NEON_WS_PROXY: relay.proxy,
      DB_ENCRYPTION_KEY: MASTER_KEY,
      ENVIRONMENT: "development",
    },
    output: (line) => {
      if (env.JOIN_HEAP_VERBOSE) console.error(line);
      if (UNCAUGHT.test(line)) workerErrors.push(line.slice(0, 300));
    },
  });
  cleanups.push(() => worker.dispose());
  const sshd = await startSshd();
  cleanups.push(() => sshd.stop());
  const admin = new Http(worker.url, tenantId);
  await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
  const agent = startAgent({
    NOSTROMO_URL: worker.url,
    NOSTROMO_ENROLL_TOKEN: await enrollmentToken(admin),
    NOSTROMO_STATE_DIR: join(dir, "agent"),
    NOSTROMO_LOG_LEVEL: "error",
  });
  cleanups.push(() => agent.stop());
  const connectionId = await sshdConnection(admin, sshd, await agentOnline(admin), "join-heap target");
  const opened = await admin.call<{ id: string }>("POST", "/api/remote-sessions", {
    connection_id: connectionId,
    cols: 80,
    rows: 24,
  });
  if (opened.status !== 201) throw new Error(`session start failed: ${opened.status}`);
  const sessionId = opened.body.id;

  const join1 = async () => {
    const v = await Viewer.open(admin, sessionId, {}, { terminal: false });
    await v.until("snapshot", () => v.frame("snapshot") !== undefined);
    v.close();
    await v.until("close", () => v.closed !== null);
  };
  const request1 = async () => {
    const r = await admin.call("GET", `/api/remote-sessions/${sessionId}`);
    if (r.status !== 200) throw new Error(`GET session: ${r.status}`);
  };
  const cdp = await Cdp.connect(worker.inspectorTarget);
  cleanups.push(async () => cdp.close());
  // The kick is an unauthenticated request to a route that does not exist: the cheapest the app serves.
  const kick = () => fetch(`${worker.url}/api/nostromo-gc-kick`).then((r) => r.arrayBuffer());
  const heap = async () => {
    await cdp.heapAfterGc(kick);
    return cdp.heapAfterGc(kick);
  };
  const repeat = async (n: number, fn: () => Promise<unknown>) => {
    for (let i = 0; i < n; i++) await fn();
  };

  console.log(`join-heap: ${WARMUP} warm-up, ${JOINS} joins, ${JOINS} requests; ${loadLine()}`);
  await repeat(WARMUP, join1);
  await repeat(WARMUP, request1);
  const h0 = await heap();
  const s0 = SNAPSHOTS ? summariseSnapshot(await cdp.snapshot()) : null;
  const h0s = SNAPSHOTS ? await heap() : h0;
  await repeat(JOINS, join1);
  const h1 = await heap();
  const raw1 = SNAPSHOTS ? await cdp.snapshot() : null;
  if (raw1 && env.JOIN_HEAP_SAVE) writeFileSync(env.JOIN_HEAP_SAVE, raw1);
  const s1 = raw1 ? summariseSnapshot(raw1) : null;
  const h1s = SNAPSHOTS ? await heap() : h1;
  await repeat(JOINS, request1);
  const h2 = await heap();
  await repeat(JOINS, kick);
  const h3 = await heap();

  const kib = (b: number) => (b / 1024).toFixed(1);
  console.log(
    `isolate JS heap after GC (KiB): start ${kib(h0)}, after joins ${kib(h1)}, after requests ${kib(h2)}`,
  );
  console.log(`retained per viewer join: ${kib((h1 - h0s) / JOINS)} KiB (${JOINS} joins)`);
  console.log(`retained per plain request: ${kib((h2 - h1s) / JOINS)} KiB (${JOINS} requests)`);
  console.log(`retained per unauthenticated 404: ${kib((h3 - h2) / JOINS)} KiB (${JOINS} requests)`);
  if (s0 && s1) {
    console.log("\nheap snapshot diff over the joins (kind | count Δ | self KiB Δ | KiB at the end):");
    for (const row of growth(s0, s1, 20)) console.log(row);
  }
  console.log(`\nuncaught errors in the Worker's output: ${workerErrors.length}`);
  for (const e of workerErrors.slice(0, 5)) console.log(`  ${e}`);
}

try {
  await main();
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
