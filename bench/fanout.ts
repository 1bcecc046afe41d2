// Fan-out benchmark (issue 19): delivery lag from the target printing a timestamp to each of the N − 1
// watchers of one session (beside its owner, who types the loop) receiving it, with viewer relays off and
// on in the same run, against the real stack (sshd, the agent's bundle, the Worker in workerd through
// wrangler dev, PostgreSQL). "off": every watcher is a socket on the SessionRoom (the demo admin's, which
// never goes through a relay); "on": the watchers are an Observer's, so past VIEWER_RELAY_THRESHOLD
// sockets on the room they are served by ViewerRelays (docs/fan-out.md). Watchers are bare WebSocket
// clients that keep only arrival times (no terminal model), all in this process — on this 2-core machine
// they compete with the stack under test. Also measured: how long opening the watchers took, how soon
// watchers that close their own socket are answered (the last ones opened: relayed ones when relays are
// on), how fast ending the session closed every other one (the room's close, obeyed by the relays), how
// fast the kill switch closes every socket of one login (BENCH_FANOUT_KILL watchers), and each process's
// open descriptors per watcher (/proc/<pid>/fd by kind): wrangler dev's proxy holds six per watcher (two
// sockets, four pipes) and runs out of the 20,000 open files a process may have here near 3,300 watchers,
// so BENCH_FANOUT_PATH=direct sends the watchers to workerd's own port past the proxy (one each). The
// tests assert what these closes do, never how soon.
// Run: npx tsx bench/fanout.ts   (BENCH_FANOUT=100,1000,5000, BENCH_FANOUT_MODES=off,on,
// BENCH_FANOUT_PATH=proxy|direct, BENCH_FANOUT_KILL=200; 0 skips it). Needs root and OpenSSH's sshd (as
// the tests do).
import { appendFileSync, readFileSync } from "node:fs";
import { Http, Viewer } from "@nostromo/testkit";
import WebSocket from "ws";
import { BENCH_ROOT, type BenchStack, loadLine, ms, pct, sleep, startBenchStack } from "./live-stack.ts";
import { fdKinds } from "./proc-stats.ts";
import { listeningPorts, workerDirectUrl } from "./worker-direct.ts";

const COUNTS = (process.env.BENCH_FANOUT ?? "100,1000,5000").split(",").map(Number);
const MODES = (process.env.BENCH_FANOUT_MODES ?? "off,on").split(",") as ("off" | "on")[];
const LINES = Number(process.env.BENCH_FANOUT_LINES ?? 40);
const THRESHOLD = Number(process.env.BENCH_RELAY_THRESHOLD ?? 100);
const SLICE = Number(process.env.BENCH_RELAY_SLICE ?? 500);
const KILL = Number(process.env.BENCH_FANOUT_KILL ?? 200);
const LEAVERS = 20;
const OPEN_PARALLEL = 20;
/** "proxy": watchers dial wrangler dev's port (its ProxyWorker in front); "direct": workerd's own port. */
const WATCH_PATH = process.env.BENCH_FANOUT_PATH === "direct" ? "direct" : "proxy";
const OPEN_TIMEOUT_MS = Number(process.env.BENCH_FANOUT_OPEN_TIMEOUT_S ?? 600) * 1000;

/** One watcher: the first arrival time of every `TS:<ms>` mark, the relay serving it (its RELAYED notice), its close. */
interface Watcher {
  ws: WebSocket;
  arrivals: Map<string, number>;
  relay: number | null;
  closedAt: number | null;
  code: number | null;
}

function openWatcher(http: Http, sid: string): Promise<Watcher> {
  const url = new URL(`/api/remote-sessions/${sid}/ws`, http.base);
  url.protocol = "ws:";
  const ws = new WebSocket(url.href, {
    headers: { cookie: `sid=${http.cookie}`, "x-tenant-id": http.tenantId ?? "" },
    perMessageDeflate: false,
  });
  const w: Watcher = { ws, arrivals: new Map(), relay: null, closedAt: null, code: null };
  ws.on("message", (data, isBinary) => {
    const now = Date.now();
    const text = (data as Buffer).toString("latin1");
    if (!isBinary) {
      const relay = /"code":"RELAYED".*"relay":(\d+)/.exec(text)?.[1];
      if (relay) w.relay = Number(relay);
      return;
    }
    for (const m of text.matchAll(/TS:(\d{13})/g))
      if (!w.arrivals.has(m[1] ?? "")) w.arrivals.set(m[1] ?? "", now);
  });
  ws.on("close", (code) => {
    w.closedAt = performance.now();
    w.code = code;
  });
  return new Promise((res, rej) => {
    ws.once("open", () => res(w));
    ws.once("error", rej);
  });
}

interface Proc {
  name: string;
  pid: number;
}

/** The processes that hold the watchers' descriptors: this one, wrangler, each workerd (named by role), the agent. */
function stackProcs(bench: BenchStack): Proc[] {
  const { wrangler, workerd } = bench.stack.pids();
  const publicPort = Number(new URL(bench.stack.url).port);
  return [
    { name: "bench (watchers' ends)", pid: process.pid },
    ...(wrangler ? [{ name: "wrangler (node)", pid: wrangler }] : []),
    ...workerd.map((pid) => ({
      name: listeningPorts(pid).includes(publicPort) ? "workerd (dev proxy)" : "workerd (Worker, DOs)",
      pid,
    })),
    { name: "agent", pid: bench.agentPid },
  ];
}

type FdCounts = Map<number, Record<string, number>>;

function sampleFds(procs: Proc[]): FdCounts {
  return new Map(procs.map((p) => [p.pid, fdKinds(p.pid) ?? {}]));
}

const total = (k: Record<string, number> | undefined) => Object.values(k ?? {}).reduce((a, b) => a + b, 0);

/** Each process's descriptors after opening the watchers, and how many more per watcher than before. */
function fdLine(procs: Proc[], before: FdCounts, after: FdCounts, watchers: number): string {
  return procs
    .map((p) => {
      const [b0, a0] = [before.get(p.pid), after.get(p.pid)];
      const kinds = Object.entries(a0 ?? {})
        .map(([k, v]) => `${k} ${v - (b0?.[k] ?? 0) >= 0 ? "+" : ""}${v - (b0?.[k] ?? 0)}`)
        .join(", ");
      const per = (total(a0) - total(b0)) / Math.max(1, watchers);
      return `${p.name} ${total(a0)} (${per.toFixed(2)}/watcher; ${kinds})`;
    })
    .join(" · ");
}

/** Math.max(...xs) overflows the stack past ~100,000 samples (5,000 watchers × 40 lines). */
const largest = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a), Number.NEGATIVE_INFINITY);

/** Opens `count` watchers, OPEN_PARALLEL at a time, within OPEN_TIMEOUT_MS; says how many failed and why. */
async function openGroup(http: Http, sid: string, count: number, all: WebSocket[]) {
  const group: Watcher[] = [];
  const t0 = performance.now();
  let failed = 0;
  let error = "";
  while (group.length + failed < count && performance.now() - t0 < OPEN_TIMEOUT_MS) {
    const batch = Math.min(OPEN_PARALLEL, count - group.length - failed);
    const opened = await Promise.allSettled(Array.from({ length: batch }, () => openWatcher(http, sid)));
    for (const r of opened) {
      if (r.status === "fulfilled") {
        group.push(r.value);
        all.push(r.value.ws);
      } else {
        failed += 1;
        error = String(r.reason);
      }
    }
  }
  return { group, failed, error, secs: (performance.now() - t0) / 1000 };
}

/** Each watcher's close, in ms after `since`, once all closed (or 30 s passed: NaN for those still open). */
async function closedAfter(group: Watcher[], since: number): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && group.some((w) => w.closedAt === null)) await sleep(20);
  return group.map((w) => (w.closedAt ?? Number.NaN) - since);
}

function closeLine(delays: number[]): string {
  const done = delays.filter((d) => !Number.isNaN(d));
  const open = delays.length - done.length;
  return `p50 ${ms(pct(done, 50))}, max ${ms(largest(done))}${open ? `, ${open} still open` : ""}`;
}

async function newObserver(admin: Http, email: string): Promise<Http> {
  const roles = await admin.call<{ data: { id: string; name: string }[] }>("GET", "/api/roles");
  const made = await admin.call("POST", "/api/users", {
    email,
    name: "Bench Watcher",
    password: "bench-watcher-password-1",
    role_id: roles.body.data.find((r) => r.name === "Observer")?.id,
  });
  if (made.status !== 201) throw new Error(`observer: ${made.status} ${JSON.stringify(made.body)}`);
  const observer = new Http(admin.base, admin.tenantId);
  await observer.login(email, "bench-watcher-password-1");
  return observer;
}

function openFilesLimit(): string {
  return /Max open files\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? "?";
}

const workerLog = process.env.BENCH_WORKER_LOG;
const b = await startBenchStack("fanout", {
  stack: {
    workerVars: { VIEWER_RELAY_THRESHOLD: String(THRESHOLD), VIEWER_RELAY_SLICE: String(SLICE) },
    // What wrangler dev and workerd print, to find which limit a large run hits.
    ...(workerLog ? { workerOutput: (line: string) => appendFileSync(workerLog, `${line}\n`) } : {}),
  },
});
const { admin } = b;
const all: WebSocket[] = [];
try {
  const observer = await newObserver(admin, "watcher@bench.example");
  const direct =
    WATCH_PATH === "direct"
      ? await workerDirectUrl(b.stack.pids().workerd, Number(new URL(b.stack.url).port))
      : "";
  if (direct === null) throw new Error("workerd's own port not found");
  // Watchers' sockets only: the owner, the session's start and end stay on wrangler dev's port.
  const watchAs = (h: Http): Http =>
    direct ? Object.assign(new Http(direct, h.tenantId), { cookie: h.cookie, csrf: h.csrf }) : h;
  const watchers = { off: watchAs(admin), on: watchAs(observer) };
  const procs = stackProcs(b);

  console.log(
    `\nfan-out: lag from the target printing a timestamp to each watcher receiving it; relays past ${THRESHOLD} sockets on the room, ${SLICE} watchers per relay; watchers dial ${WATCH_PATH === "direct" ? `workerd's own port (${direct}), past wrangler dev's proxy` : "wrangler dev's port (its proxy in front of workerd)"}; open files limit ${openFilesLimit()}`,
  );
  console.log(
    `| watchers | relays | relayed | p50 | p99 | max | samples (expected) | opened in | ${LEAVERS} own closes answered | all closed after end | load |\n|---|---|---|---|---|---|---|---|---|---|---|`,
  );
  for (const n of COUNTS) {
    for (const mode of MODES) {
      const sid = await b.start();
      const owner = await Viewer.open(admin, sid, {}, { terminal: false });
      all.push(owner.ws);
      const fdsBefore = sampleFds(procs);
      const opened = await openGroup(watchers[mode], sid, n - 1, all);
      const { group, failed, error, secs: openSecs } = opened;
      const fdsAfter = sampleFds(procs);
      if (group.length < n - 1)
        console.log(
          `(${n} ${mode}: opened ${group.length + 1} of ${n} in ${openSecs.toFixed(0)} s; ${failed} failed: ${error})`,
        );
      await sleep(3000);
      // Brace expansion, not $(seq …): the execution guard gives a command substitution in a for loop's
      // word list no verdict.
      owner.type(`for i in {1..${LINES}}; do echo TS:$(date +%s%3N); sleep 0.05; done\r`);
      const deadline = Date.now() + LINES * 60 + 30_000;
      await sleep(LINES * 60 + 1500);
      while (Date.now() < deadline && group.some((w) => w.arrivals.size < LINES)) await sleep(200);
      const lags: number[] = [];
      for (const w of group) for (const [ts, at] of w.arrivals) lags.push(at - Number(ts));
      const relayed = group.filter((w) => w.relay !== null).length;
      const relays = new Set(group.map((w) => w.relay).filter((r) => r !== null)).size;
      const load = loadLine();
      // The last watchers opened close their own sockets: how soon whoever serves them answers.
      const leavers = group.splice(group.length - Math.min(LEAVERS, Math.floor(group.length / 2)));
      const left = performance.now();
      for (const w of leavers) w.ws.close();
      const answered = await closedAfter(leavers, left);
      const ended = performance.now();
      // A run past the machine's limits can leave the Worker refusing connections: say so and stop.
      const end = await admin.call("DELETE", `/api/remote-sessions/${sid}`).catch((err: unknown) => err);
      if (end instanceof Error) {
        console.log(`(${n} ${mode}: the Worker no longer answers: ${String(end.cause ?? end)}; stopping)`);
        break;
      }
      const closes = await closedAfter(group, ended);
      console.log(
        `| ${n} | ${mode} | ${relayed} (${relays} relays) | ${ms(pct(lags, 50))} | ${ms(pct(lags, 99))} | ${ms(largest(lags))} | ${lags.length} (${(group.length + leavers.length) * LINES}) | ${openSecs.toFixed(1)} s | ${closeLine(answered)} | ${closeLine(closes)} | ${load} |`,
      );
      const watching = group.length + leavers.length;
      console.log(
        `descriptors with ${watching} watchers open: ${fdLine(procs, fdsBefore, fdsAfter, watching)}`,
      );
      for (const w of group) w.ws.terminate();
      owner.close();
      await sleep(2000);
    }
  }
  console.log("goal: p99 ≤ 100 ms at 1,000 watchers");
  if (KILL > 0) await killSwitch(KILL);
} finally {
  for (const ws of all) ws.terminate();
  await b.stop();
}

/** The kill switch: a platform administrator ends one Observer's login while `n` of its watchers are on a
 * session (past the threshold through relays); how soon after the request every one is closed, and with
 * which close code (4001 is the kill's). */
async function killSwitch(n: number): Promise<void> {
  const victim = await newObserver(admin, "killed@bench.example");
  const root = new Http(admin.base);
  await root.login(BENCH_ROOT.email, BENCH_ROOT.password);
  const sid = await b.start();
  const owner = await Viewer.open(admin, sid, {}, { terminal: false });
  all.push(owner.ws);
  const { group } = await openGroup(victim, sid, n, all);
  await sleep(3000);
  const logins = await root.call<{ data: { id: string; email: string }[] }>("GET", "/api/sessions");
  const login = logins.body.data.find((l) => l.email === "killed@bench.example");
  const load = loadLine();
  const killed = performance.now();
  const k = await root.call("DELETE", `/api/sessions/${login?.id}`);
  const closes = await closedAfter(group, killed);
  const codes = new Map<number | null, number>();
  for (const w of group) codes.set(w.code, (codes.get(w.code) ?? 0) + 1);
  console.log(
    `\nkill switch (${k.status}): ${group.length} watchers of one login, relays past ${THRESHOLD} sockets — all closed after the request: ${closeLine(closes)}; close codes ${[...codes].map(([c, x]) => `${c} × ${x}`).join(", ")}; ${load}`,
  );
  owner.close();
  await admin.call("DELETE", `/api/remote-sessions/${sid}`);
}
