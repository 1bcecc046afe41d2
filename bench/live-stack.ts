// The live stack the session benchmarks run against: PostgreSQL, the Worker in workerd (wrangler dev),
// OpenSSH sshd on loopback, and the agent as the container runs it (the esbuild bundle), enrolled, with a
// connection to the sshd. Also the same-run baselines: a direct ssh2 shell and an OpenSSH client to the
// same sshd. With `direct`, a second agent dials workerd's own port (the same Worker and Durable Objects,
// past wrangler dev's ProxyWorker) and `startDirect` opens sessions through it, for viewers on `directAdmin`:
// both paths in one run. With `trace`, the room and both agents log their hop timestamps to `traceLines`.
// Every process is the bench supervisor's (bench-processes.ts): Ctrl-C at any moment stops them all.
import { spawn } from "node:child_process";
import { type EventEmitter, once } from "node:events";
import { connect } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import {
  DEMO_ADMIN,
  enrollmentToken,
  Http,
  liveTarget,
  sshdConnection,
  startSshd,
  type TestSshd,
  waitFor,
} from "@nostromo/testkit";
import { Client as SshClient } from "ssh2";
import { ensureDatabase } from "../db/node.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { type Stack, type StackOptions, startStack } from "../infra/dev/stack.ts";
import { benchDir, benchSupervisor } from "./bench-processes.ts";
import { workerDirectUrl } from "./worker-direct.ts";

const ROOT = resolve(import.meta.dirname, "..");

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** The platform administrator of every bench stack (the kill switch is theirs). */
export const BENCH_ROOT = { email: "root@bench.example", password: "bench-root-password" };

export interface BenchStack {
  dir: string;
  stack: Stack;
  sshd: TestSshd;
  admin: Http;
  agentPid: number;
  /** Starts a live session on the sshd; returns its id. */
  start(): Promise<string>;
  /** With `direct`: the same, through the agent that dials workerd's own port. */
  startDirect(): Promise<string>;
  /** With `direct`: the admin's login, addressed to workerd's own port (viewers past the dev proxy). */
  directAdmin: Http;
  /** With `trace`: every `nostromo-trace <hop> <ms>` mark of the room and the agents, as they came. */
  traceLines: string[];
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  direct?: boolean;
  trace?: boolean;
  /** More for the stack itself (bench/fanout.ts: the relay tier's vars, the Worker's output). */
  stack?: Partial<StackOptions>;
}

/** A fresh PostgreSQL and the Worker on it, in a temporary folder; `stop` (or a signal) stops every
 * process the bench started and removes the folder. */
export async function startBareStack(name: string, extra: Partial<StackOptions> = {}) {
  const sup = benchSupervisor();
  const dir = benchDir(`nostromo-bench-${name}-`);
  const stop = () => sup.shutdown();
  try {
    const pg = await startPostgres({ dataDir: join(dir, "pg"), persistent: false, supervisor: sup });
    await ensureDatabase(pg.url("postgres"), "bench");
    const port = await freePort();
    const stack = await startStack({
      dataDir: join(dir, "data"),
      port,
      databaseUrl: pg.url("bench"),
      superAdmin: BENCH_ROOT,
      demoAdmin: DEMO_ADMIN,
      masterKey: "bench-master-key-0123456789-0123456789-01",
      quietWorker: true,
      supervisor: sup,
      ...extra,
    });
    return { dir, port, stack, stop, sup };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function startBenchStack(name: string, opts: BenchStackOptions = {}): Promise<BenchStack> {
  const traceLines: string[] = [];
  // One mark per entry; the room logs several per line, and wrangler colours the Worker's lines.
  const keepTrace = (line: string) => {
    opts.stack?.workerOutput?.(line);
    const at = line.indexOf("nostromo-trace ");
    if (at < 0) return;
    for (const m of line.slice(at + 15).matchAll(/(\S+) (\d+(?:\.\d+)?)/g))
      traceLines.push(`nostromo-trace ${m[1]} ${m[2]}`);
  };
  const { dir, port, stack, stop, sup } = await startBareStack(name, {
    ...opts.stack,
    ...(opts.trace
      ? { workerVars: { ...opts.stack?.workerVars, BENCH_TRACE: "1" }, workerOutput: keepTrace }
      : {}),
  });
  // The agent as the container runs it: the esbuild bundle.
  const spawnAgent = (url: string, token: string, state: string) => {
    const agent = sup.spawn("agent", process.execPath, ["containers/agent/dist/main.mjs"], {
      tier: "app",
      cwd: ROOT,
      stdio: ["ignore", opts.trace ? "pipe" : "ignore", "ignore"],
      env: {
        PATH: process.env.PATH ?? "",
        NOSTROMO_URL: url,
        NOSTROMO_ENROLL_TOKEN: token,
        NOSTROMO_STATE_DIR: join(dir, state),
        NOSTROMO_LOG_LEVEL: "error",
        ...(opts.trace ? { NOSTROMO_TRACE: "1" } : {}),
      },
    });
    let rest = "";
    agent.stdout?.on("data", (d: Buffer) => {
      const lines = (rest + d.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) keepTrace(line);
    });
    return agent;
  };
  try {
    const sshd = await sup.own(
      "sshd",
      "app",
      () => startSshd(),
      (s) => s.stop(),
    );
    const admin = new Http(stack.url, stack.demoTenantId);
    await admin.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
    // Not spawnSync: a signal must find the event loop free (tsx's wrapper SIGKILLs a child that does not
    // acknowledge a relayed signal within 60 ms, and then nothing stops what the bench started).
    const build = sup.spawn("agent build", "npm", ["run", "build", "-w", "@nostromo/agent"], {
      tier: "app",
      cwd: ROOT,
      stdio: "ignore",
    });
    const [built] = await once(build, "exit");
    if (built !== 0) throw new Error("agent build failed");
    const target = await liveTarget(admin, sshd, "bench target", (token) =>
      spawnAgent(`http://127.0.0.1:${port}`, token, "agent"),
    );
    const directAdmin = new Http(stack.url, stack.demoTenantId);
    let directConnection = "";
    if (opts.direct) {
      const url = await workerDirectUrl(stack.pids().workerd, port);
      if (!url) throw new Error("workerd's own port not found");
      directAdmin.base = url;
      directAdmin.cookie = admin.cookie;
      directAdmin.csrf = admin.csrf;
      spawnAgent(url, await enrollmentToken(admin), "agent-direct");
      const agentId = await waitFor("second agent online", async () => {
        const r = await admin.call<{ data: { id: string; online: boolean }[] }>("GET", "/api/agents");
        return r.body.data.find((a) => a.online && a.id !== target.agentId)?.id;
      });
      directConnection = await sshdConnection(admin, sshd, agentId, "bench target (direct)");
    }
    const open = async (connectionId: string) => {
      const r = await admin.call<{ id: string }>("POST", "/api/remote-sessions", {
        connection_id: connectionId,
        cols: 80,
        rows: 24,
      });
      if (r.status !== 201) throw new Error(`session start failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id;
    };
    return {
      dir,
      stack,
      sshd,
      admin,
      directAdmin,
      traceLines,
      agentPid: target.agent.pid ?? 0,
      start: () => open(target.connectionId),
      startDirect: () => {
        if (!directConnection) throw new Error("startBenchStack was not asked for the direct path");
        return open(directConnection);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves at the next `event` of `emitter`. The benches wait for output this way, never by spinning on
 * setImmediate: a bench that busy-waits takes one of the 2 cores from the relay it measures (three
 * processes) far more than from a direct client (none in between). */
export function nextEvent(emitter: EventEmitter, event: string): Promise<void> {
  return new Promise((r) => emitter.once(event, () => r()));
}

/** Waits until `done()` holds, checking at each `event` of `emitter` (see nextEvent). */
export async function until(done: () => boolean, emitter: EventEmitter, event: string): Promise<void> {
  while (!done()) await nextEvent(emitter, event);
}

/** A direct ssh2 shell to the sshd: the baseline. */
export async function directShell(sshd: TestSshd) {
  // Nagle off, as the agent has it: otherwise an Enter after a pause waits for a delayed ACK (~40 ms).
  const sock = connect(sshd.port, sshd.host);
  sock.setNoDelay(true);
  await once(sock, "connect");
  const conn = new SshClient();
  await new Promise<void>((res, rej) => {
    conn.once("ready", () => res()).once("error", rej);
    conn.connect({ sock, username: sshd.user, password: sshd.password });
  });
  const stream = await new Promise<import("ssh2").ClientChannel>((res, rej) =>
    conn.shell({ term: "xterm-256color", cols: 80, rows: 24 }, (err, s) => (err ? rej(err) : res(s))),
  );
  let buf = "";
  stream.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    if (buf.length > 1_000_000) buf = buf.slice(-100_000);
  });
  return {
    /** Emits "data" after `text()` has it. */
    output: stream as EventEmitter,
    type: (s: string) => stream.write(s),
    text: () => buf,
    reset: () => {
      buf = "";
    },
    close: () => conn.end(),
  };
}

/** The benchmark policies: 1,000 rules in 20 policies, none matching the lines the benchmarks type. */
export async function createBenchPolicies(admin: Http): Promise<void> {
  const rules = (p: number) =>
    Array.from({ length: 50 }, (_, i) =>
      i < 2
        ? {
            name: `r${p}-${i}`,
            pattern_type: "regex",
            pattern: `^tool${p}x${i}\\s+--danger`,
            severity: "high",
          }
        : {
            name: `r${p}-${i}`,
            pattern_type: i % 2 ? "contains" : "exact",
            pattern: `forbidden-${p}-${i} --now`,
            severity: "medium",
          },
    );
  for (let p = 0; p < 20; p++) {
    const r = await admin.call("POST", "/api/policies", { name: `bench ${p}`, blocked_commands: rules(p) });
    if (r.status !== 201) throw new Error(`policy create failed: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** A plain OpenSSH client (`ssh -tt`, key login) to the sshd: the second baseline, the client people use. */
export async function opensshShell(sshd: TestSshd) {
  const child = spawn(
    "ssh",
    [
      "-tt",
      "-i",
      `${sshd.dir}/client_key`,
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "LogLevel=ERROR",
      "-p",
      String(sshd.port),
      `${sshd.user}@${sshd.host}`,
    ],
    { stdio: ["pipe", "pipe", "ignore"] },
  );
  let buf = "";
  child.stdout?.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    if (buf.length > 1_000_000) buf = buf.slice(-100_000);
  });
  // Ready once the remote shell has printed something (its prompt).
  const deadline = Date.now() + 15_000;
  while (!buf.length) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("ssh -tt did not start");
    await sleep(20);
  }
  await sleep(300);
  if (!child.stdout) throw new Error("ssh -tt has no stdout");
  return {
    /** Emits "data" after `text()` has it. */
    output: child.stdout as EventEmitter,
    type: (s: string) => child.stdin?.write(s),
    text: () => buf,
    reset: () => {
      buf = "";
    },
    close: () => child.kill("SIGTERM"),
  };
}

/** The median of several runs' figures and their spread, as "median (min–max)". */
export function spread(xs: number[], fmt: (n: number) => string = ms): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${fmt(s[Math.floor(s.length / 2)] ?? Number.NaN)} (${fmt(s[0] ?? Number.NaN)}–${fmt(s[s.length - 1] ?? Number.NaN)})`;
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The machine's load averages, printed beside every run: a figure measured on a busy machine says so. */
export function loadLine(): string {
  const [one, five] = loadavg();
  return `load average ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min) on ${availableParallelism()} cores`;
}
