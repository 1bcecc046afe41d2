// Soak run: one live session printing numbered lines continuously (recorded), one viewer watching
// throughout and a few more joining and leaving continuously, for SOAK_MINUTES (default 30), against the
// real stack: OpenSSH sshd, the agent, the Worker in workerd (wrangler dev), the Neon relay, PostgreSQL.
// Every SOAK_SAMPLE_SECONDS (30) it samples each process's resident memory and open descriptors from /proc;
// it counts uncaught errors in every process's output, checks that no viewer and not the recording missed
// a line, and prints start (the baseline minutes' mean) / end / max / slope per hour per process.
// Run: npx tsx bench/soak.ts   (SOAK_MINUTES=3 for a quick look; SOAK_LOG_DIR=<dir> keeps every process's
// output and every sample (series.json) there). Needs root and OpenSSH's sshd.
// To tell which activity drives memory: SOAK_OUTPUT=0 (no output loop: an idle shell), SOAK_VIEWERS=0 (no
// joining viewers), SOAK_RECORD=0 (not recorded), SOAK_DIRECT=1 (joining viewers straight to the Worker's
// workerd, past wrangler dev's proxy). Each sample reads each workerd apart, the Worker process's anonymous
// vs file-backed memory, wrangler's local state on disk (Durable Objects' SQLite, the local R2), and the
// Worker isolate's JS heap after a forced collection through wrangler's inspector (SOAK_HEAP=0: no
// inspector connection during the run; SOAK_HEAP=peek: the heap as it is, garbage included, no collection).
// At the end: the Worker process's RSS before and after one forced full collection (garbage V8 had not
// collected yet vs memory something holds). SOAK_HEAP_SNAPSHOTS=1 diffs two heap snapshots by constructor
// (each adds ~200 MiB to both workerd).
// Every process it starts is the bench supervisor's (bench-processes.ts): Ctrl-C at any moment stops them all.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
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
  waitFor,
} from "@nostromo/testkit";
import { ensureDatabase } from "../db/node.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { startStack } from "../infra/dev/stack.ts";
import { parseCast } from "../workers/session-room/asciicast.ts";
import { benchDir, benchSupervisor } from "./bench-processes.ts";
import { growth, type HeapSummary, heapSummary } from "./heap-snapshot.ts";
import { isolateHeap } from "./isolate-heap.ts";
import { childrenOf, findProc, type Series, sampleProc, summarise } from "./proc-stats.ts";
import { checkLines, numberedLines } from "./soak-lines.ts";
import { workerDirectUrl } from "./worker-direct.ts";
import { type MemorySplit, memorySplit, stateSizes } from "./worker-memory.ts";

const env = process.env;
const MINUTES = Number(env.SOAK_MINUTES ?? 30);
const SAMPLE_S = Number(env.SOAK_SAMPLE_SECONDS ?? 30);
const BASELINE_MIN = Number(env.SOAK_BASELINE_MINUTES ?? Math.min(5, MINUTES / 6));
const CHURNERS = Number(env.SOAK_VIEWERS ?? 4);
const LINE_SLEEP = env.SOAK_LINE_SLEEP ?? "0.05";
const OUTPUT = env.SOAK_OUTPUT !== "0";
const RECORD = env.SOAK_RECORD !== "0";
const DIRECT = env.SOAK_DIRECT === "1";
// Heap snapshots of the isolate at the end of the baseline and at the end, diffed by constructor.
const SNAPSHOTS = env.SOAK_HEAP_SNAPSHOTS === "1";
// SOAK_HEAP=0: no inspector connection during the run (each one passes through wrangler's dev proxy);
// SOAK_HEAP=peek: the heap read every sample *without* a forced collection (garbage included).
const HEAP = env.SOAK_HEAP !== "0";
const PEEK = env.SOAK_HEAP === "peek";
const RAW = { terminal: false };
const UNCAUGHT = /uncaught|unhandled|network connection lost|socket hang up/i;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Source {
  lines: number;
  uncaught: number;
  examples: Set<string>;
}
const sources = new Map<string, Source>();
const LOG_DIR = env.SOAK_LOG_DIR;
function collect(name: string, line: string, isError = UNCAUGHT.test(line)): void {
  if (LOG_DIR) appendFileSync(join(LOG_DIR, `${name}.log`), `${line}\n`);
  const s = sources.get(name) ?? { lines: 0, uncaught: 0, examples: new Set<string>() };
  sources.set(name, s);
  s.lines += 1;
  if (isError) {
    s.uncaught += 1;
    if (s.examples.size < 5) s.examples.add(line.slice(0, 300));
  }
}
process.on("unhandledRejection", (err) => collect("runner", `unhandled rejection: ${String(err)}`, true));
process.on("uncaughtException", (err) => collect("runner", `uncaught exception: ${String(err)}`, true));
// Errors are counted above, not fatal: the supervisor only stops everything on a signal or at the end.
const sup = benchSupervisor({ crashes: false });

const dir = benchDir("nostromo-soak-");
const pgDir = join(dir, "pg");
const pg = await startPostgres({
  dataDir: pgDir,
  persistent: false,
  supervisor: sup,
  // PostgreSQL's own log: FATAL/PANIC are failures, a client that vanished mid-connection is worth counting.
  log: (m) => {
    for (const l of m.split("\n")) if (l) collect("postgres", l, /FATAL|PANIC|unexpected EOF/.test(l));
  },
});
await ensureDatabase(pg.url("postgres"), "soak");
const port = await freePort();
const stack = await startStack({
  dataDir: join(dir, "data"),
  port,
  databaseUrl: pg.url("soak"),
  superAdmin: { email: "root@soak.example", password: "soak-root-password" },
  demoAdmin: DEMO_ADMIN,
  masterKey: "soak-master-key-0123456789-0123456789-012",
  workerOutput: (line) => collect("worker", line),
  supervisor: sup,
}).catch(async (err: unknown) => {
  // The runner's uncaught-error handlers count errors and keep it alive: a stack that cannot start would
  // leave PostgreSQL running.
  console.error(`soak: the stack did not start: ${String(err)}`);
  await sup.shutdown();
  process.exit(1);
});
const sshd = await sup.own(
  "sshd",
  "app",
  () => startSshd(),
  (s) => s.stop(),
);
const admin = new Http(stack.url, stack.demoTenantId);
await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
// As `npm start` runs it: metrics every 5 s, heartbeats at the default 15 s.
const token = await enrollmentToken(admin);
const agent = await sup.own(
  "agent",
  "app",
  async () =>
    startAgent({
      NOSTROMO_URL: `http://127.0.0.1:${port}`,
      NOSTROMO_ENROLL_TOKEN: token,
      NOSTROMO_STATE_DIR: join(dir, "agent"),
      NOSTROMO_METRICS_INTERVAL_MS: "5000",
      NOSTROMO_LOG_LEVEL: "warn",
    }),
  async (a) => {
    await a.stop("SIGTERM");
  },
  (a) => a.child.pid,
);
function agentOutput(d: Buffer, stderr: boolean): void {
  for (const l of d.toString().split("\n"))
    if (l) collect("agent", l, stderr || UNCAUGHT.test(l) || /"level":"error"/.test(l));
}
agent.child.stdout?.on("data", (d: Buffer) => agentOutput(d, false));
agent.child.stderr?.on("data", (d: Buffer) => agentOutput(d, true));

const series = new Map<string, { rss: Series; fds: Series }>();
const counts: { t: number; relay: number; backends: number }[] = [];
const t0 = Date.now();
const minutes = () => (Date.now() - t0) / 60_000;
const postmaster = findProc(`-D ${pgDir}`) ?? findProc(pgDir);

function recordValue(name: string, v: number, fds: number): void {
  const entry = series.get(name) ?? { rss: { t: [], v: [] }, fds: { t: [], v: [] } };
  series.set(name, entry);
  const t = minutes();
  entry.rss.t.push(t);
  entry.rss.v.push(v);
  entry.fds.t.push(t);
  entry.fds.v.push(fds);
}

async function sampleHeap(): Promise<void> {
  if (!HEAP) return;
  const h = await isolateHeap(stack.inspectorPort, 10_000, !PEEK);
  if (!h) return;
  if (!PEEK) {
    recordValue("isolate JS heap (after GC)", h.usedMiB, 0);
    return recordValue("isolate JS heap committed (after GC)", h.totalMiB, 0);
  }
  recordValue("isolate JS heap used (no GC)", h.usedMiB, 0);
  recordValue("isolate JS heap committed (no GC)", h.totalMiB, 0);
  if (h.backingMiB !== null) recordValue("isolate ArrayBuffer stores (no GC)", h.backingMiB, 0);
}

/** The Worker's own workerd (not wrangler's dev proxy on the public port). */
function workerPid(): number | null {
  return stack.pids().workerd.find((pid) => !cmdline(pid).includes(`entry=127.0.0.1:${port}`)) ?? null;
}

function record(name: string, pids: number[]): void {
  let rss = 0;
  let fds = 0;
  let seen = 0;
  for (const pid of pids) {
    const s = sampleProc(pid);
    if (!s) continue;
    rss += s.rssMiB;
    fds += s.fds;
    seen += 1;
  }
  if (seen === 0) return;
  const entry = series.get(name) ?? { rss: { t: [], v: [] }, fds: { t: [], v: [] } };
  series.set(name, entry);
  const t = minutes();
  entry.rss.t.push(t);
  entry.rss.v.push(rss);
  entry.fds.t.push(t);
  entry.fds.v.push(fds);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function sample(): void {
  const p = stack.pids();
  record("wrangler", p.wrangler ? [p.wrangler] : []);
  record("workerd", p.workerd);
  // wrangler dev runs two: its dev proxy on the public port (every request and WebSocket passes through
  // it) and the runtime of the Worker itself.
  for (const pid of p.workerd) {
    const cmd = cmdline(pid);
    record(cmd.includes(`entry=127.0.0.1:${port}`) ? "workerd (dev proxy)" : "workerd (Worker)", [pid]);
  }
  record("wrangler helpers (node, esbuild)", p.helpers);
  // Where the Worker process's memory is (anonymous: malloc and V8; file-backed: the binary, mapped
  // files), and what wrangler's local state (Durable Objects' SQLite, local R2) holds on disk.
  const worker = workerPid();
  const split = worker ? memorySplit(worker) : null;
  if (split) {
    recordValue("workerd (Worker) anonymous", split.anonMiB, 0);
    recordValue("workerd (Worker) file-backed", split.fileMiB, 0);
  }
  for (const [kind, mib] of stateSizes(join(dir, "data", "wrangler")))
    recordValue(`state on disk: ${kind}`, mib, 0);
  record("agent", agent.child.pid ? [agent.child.pid] : []);
  const backends = postmaster ? childrenOf(postmaster) : [];
  if (postmaster) record("postgres (postmaster)", [postmaster]);
  record("postgres (all children)", backends);
  record("runner (relay + viewers)", [process.pid]);
  counts.push({ t: minutes(), relay: stack.relayConnections(), backends: backends.length });
}

let failedJoins = 0;
let joins = 0;
let lost = 0;
let disorder = 0;
const joinErrors = new Set<string>();

async function churn(until: number): Promise<void> {
  while (Date.now() < until) {
    joins += 1;
    try {
      const v = await Viewer.open(joiner, sessionId, {}, RAW);
      await sleep(2000 + Math.random() * 8000);
      v.close();
      const check = checkLines(numberedLines(v.text()));
      lost += check.missing;
      disorder += check.disorder;
    } catch (err) {
      failedJoins += 1;
      if (joinErrors.size < 5) joinErrors.add(String(err));
    }
    await sleep(300 + Math.random() * 700);
  }
}

const connectionId = await sshdConnection(admin, sshd, await agentOnline(admin), "soak target");
const opened = await admin.call<{ id: string }>("POST", "/api/remote-sessions", {
  connection_id: connectionId,
  cols: 80,
  rows: 24,
});
if (opened.status !== 201) throw new Error(`session start failed: ${opened.status}`);
const sessionId = opened.body.id;
const direct = DIRECT ? await workerDirectUrl(stack.pids().workerd, port) : null;
if (DIRECT && !direct) throw new Error("the Worker's own port was not found");
const joiner = direct ? Object.assign(new Http(direct, admin.tenantId), { cookie: admin.cookie }) : admin;
let exitCode = 0;
try {
  const owner = await Viewer.open(admin, sessionId, {}, RAW);
  await waitFor("prompt", async () => `${owner.frame("snapshot")?.data}${owner.text()}`.includes("$"));
  const rec = RECORD
    ? await admin.call<{ recording_id: string }>("POST", `/api/remote-sessions/${sessionId}/recording`, {
        enabled: true,
      })
    : null;
  if (OUTPUT) owner.type(`i=0; while :; do i=$((i+1)); echo "L$i"; sleep ${LINE_SLEEP}; done\r`);
  console.log(
    `soak: ${MINUTES} min, sample every ${SAMPLE_S} s, baseline ${BASELINE_MIN} min, ${CHURNERS} viewers churning, output ${OUTPUT}, recorded ${RECORD}, joining via ${joiner.base}`,
  );
  const until = Date.now() + MINUTES * 60_000;
  sample();
  await sampleHeap();
  const sampler = setInterval(() => {
    sample();
    void sampleHeap();
    const c = counts.at(-1);
    console.log(
      `  ${minutes().toFixed(1)} min: joins ${joins} (failed ${failedJoins}), lines ${numberedLines(owner.text()).length}, relay conns ${c?.relay}, pg children ${c?.backends}, uncaught ${[...sources.values()].reduce((a, s) => a + s.uncaught, 0)}`,
    );
  }, SAMPLE_S * 1000);
  let firstHeap: HeapSummary | null = null;
  const snapshotAt = SNAPSHOTS
    ? setTimeout(async () => {
        firstHeap = await heapSummary(stack.inspectorPort);
      }, BASELINE_MIN * 60_000)
    : null;
  await Promise.all(Array.from({ length: CHURNERS }, () => churn(until)));
  await sleep(Math.max(0, until - Date.now()));
  clearInterval(sampler);
  if (snapshotAt) clearTimeout(snapshotAt);
  sample();
  const lastHeap = firstHeap ? await heapSummary(stack.inspectorPort) : null;
  const gcProbe = await gcAtEnd();

  owner.type("\u0003");
  await sleep(1000);
  const ownerLines = numberedLines(owner.text());
  const ownerCheck = checkLines(ownerLines);
  await admin.call("DELETE", `/api/remote-sessions/${sessionId}`);
  const recorded = rec ? await recordedLines(rec.body.recording_id) : [];
  const recCheck = checkLines(recorded);

  console.log(`\n## Soak: ${MINUTES} min, ${series.get("agent")?.rss.v.length ?? 0} samples\n`);
  console.log("| process | RSS MiB start / end / max | slope MiB/h | fds start / end / max | slope fds/h |");
  console.log("|---|---|---|---|---|");
  for (const [name, s] of series) {
    const r = summarise(s.rss, BASELINE_MIN);
    const f = summarise(s.fds, BASELINE_MIN);
    console.log(
      `| ${name} | ${r.start.toFixed(1)} / ${r.end.toFixed(1)} / ${r.max.toFixed(1)} | ${r.slopePerHour.toFixed(1)} | ${f.start.toFixed(0)} / ${f.end} / ${f.max} | ${f.slopePerHour.toFixed(1)} |`,
    );
  }
  if (LOG_DIR) writeFileSync(join(LOG_DIR, "series.json"), JSON.stringify(Object.fromEntries(series)));
  // The shape, not only the ends: RSS every five minutes (a plateau after warm-up is not a leak).
  console.log("\nRSS MiB every 5 min:");
  for (const [name, s] of series) {
    const marks = s.rss.v.filter(
      (_, i) => i === 0 || Math.floor((s.rss.t[i] ?? 0) / 5) > Math.floor((s.rss.t[i - 1] ?? 0) / 5),
    );
    console.log(`  ${name}: ${marks.map((v) => v.toFixed(0)).join(" → ")}`);
  }
  if (firstHeap && lastHeap) {
    console.log("\nIsolate heap growth from the end of the baseline to the end, by constructor (after GC):");
    console.log("| kind | count Δ | self KiB Δ | self KiB at end |\n|---|---|---|---|");
    for (const row of growth(firstHeap, lastHeap)) console.log(row);
  }
  console.log(`\nWorker process at the end, before → after one forced full GC (MiB): ${gcProbe}`);
  const relay = counts.map((c) => c.relay);
  const backends = counts.map((c) => c.backends);
  console.log(
    `\nrelay connections: start ${relay[0]}, end ${relay.at(-1)}, max ${Math.max(...relay)}; postgres children: start ${backends[0]}, end ${backends.at(-1)}, max ${Math.max(...backends)}`,
  );
  console.log(
    `viewer joins: ${joins} (failed ${failedJoins}${joinErrors.size ? `: ${[...joinErrors].join("; ")}` : ""}); lines missed by joined viewers: ${lost}, out of order: ${disorder}`,
  );
  console.log(
    `owner viewer: lines L${ownerLines[0]}…L${ownerLines.at(-1)} (${ownerLines.length}), missing ${ownerCheck.missing}, out of order ${ownerCheck.disorder}`,
  );
  console.log(
    `recording: L${recorded[0]}…L${recorded.at(-1)} (${recorded.length}), missing ${recCheck.missing}, out of order ${recCheck.disorder}, covers the owner's last line: ${(recorded.at(-1) ?? 0) >= (ownerLines.at(-1) ?? 1)}`,
  );
  console.log("\n| output of | lines | uncaught errors |\n|---|---|---|");
  for (const [name, s] of sources) console.log(`| ${name} | ${s.lines} | ${s.uncaught} |`);
  for (const [name, s] of sources) for (const e of s.examples) console.log(`  ${name}: ${e}`);
  const uncaught = [...sources.values()].reduce((a, s) => a + s.uncaught, 0);
  if (uncaught || failedJoins || lost || (OUTPUT && ownerCheck.missing) || (rec && recCheck.missing))
    exitCode = 1;
} finally {
  await sup.shutdown();
}
process.exit(exitCode);

// Is the Worker process's growth garbage V8 has not collected yet? Its memory and the isolate's heap as
// they are, then one full collection through the inspector, then again (after a few seconds, for the
// runtime to release what the collection freed).
async function gcAtEnd(): Promise<string> {
  const pid = workerPid();
  const fmt = (m: MemorySplit | null) =>
    m
      ? `RSS ${m.rssMiB.toFixed(1)} (anonymous ${m.anonMiB.toFixed(1)}, file-backed ${m.fileMiB.toFixed(1)})`
      : "—";
  const heap = (h: Awaited<ReturnType<typeof isolateHeap>>) =>
    h
      ? `JS heap used ${h.usedMiB.toFixed(1)} / committed ${h.totalMiB.toFixed(1)}${h.backingMiB === null ? "" : `, ArrayBuffer stores ${h.backingMiB.toFixed(1)}`}`
      : "heap unread";
  const before = pid ? memorySplit(pid) : null;
  const heapBefore = await isolateHeap(stack.inspectorPort, 10_000, false);
  const heapAfter = await isolateHeap(stack.inspectorPort);
  await sleep(5000);
  const after = pid ? memorySplit(pid) : null;
  return `${fmt(before)}, ${heap(heapBefore)} → ${fmt(after)}, ${heap(heapAfter)}`;
}

async function recordedLines(recordingId: string): Promise<number[]> {
  await waitFor("recording ready", async () => {
    const r = await admin.call<{ status: string }>("GET", `/api/recordings/${recordingId}`);
    return r.body.status === "ready";
  });
  const file = await fetch(`${stack.url}/api/recordings/${recordingId}/download`, {
    headers: { cookie: `sid=${admin.cookie}`, "x-tenant-id": admin.tenantId ?? "" },
  });
  const cast = parseCast(await file.text());
  return numberedLines(
    cast.events
      .filter(([, type]) => type === "o")
      .map(([, , data]) => data)
      .join(""),
  );
}
