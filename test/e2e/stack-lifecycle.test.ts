// The stack lifecycle, with the real `npm start` in its own process group (as a terminal runs it): stopped
// by SIGINT to the group (Ctrl-C), SIGTERM to the npm process alone, SIGHUP to the group, or a real terminal
// hang-up (npm start on a pseudo-terminal whose owner dies) at each start-up step and once running, no
// process of that run and no port it used may be left after 10 s. A second `npm start` on the same data dir
// fails fast and clearly, the first keeps serving; a crashed run's leftovers are stopped by the next start.
// Every process of a run is tracked twice: as a descendant of npm (sampled while it runs) and by a marker in
// its environment (which survives re-parenting). CI runs one way of stopping per step (Ctrl-C and SIGHUP once
// running are in the second-start and crash cases); NOSTROMO_LIFECYCLE_FULL=1 runs every step × way, and
// ten Ctrl-C's once running.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/dev/postgres.ts";
import {
  commandLine,
  descendants,
  isAlive,
  type ProcInfo,
  pidsWithEnv,
  portIsFree,
  procStat,
} from "../../infra/dev/procs.ts";
import { ROOT } from "./harness.ts";

/** "terminal closed": npm start runs on a pseudo-terminal (`script`), whose owner is killed — the kernel
 * hangs the terminal up, as when a terminal window is closed. */
type Interrupt = "SIGINT to the group" | "SIGTERM to npm" | "SIGHUP to the group" | "terminal closed";

const STEPS = {
  postgres: /starting PostgreSQL/,
  migrations: /applying migrations/,
  worker: /starting the Worker/,
  agent: /starting the local agent/,
  running: /Nostromo is running/,
} as const;
type Step = keyof typeof STEPS;

const STOP_WITHIN_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), "nostromo-lifecycle-"));
// As root, PostgreSQL runs as the "postgres" user, which must be able to reach the data dir.
chmodSync(dir, 0o755);
const ports = {
  PORT: await freePort(),
  PG_PORT: await freePort(),
  NOSTROMO_RELAY_PORT: await freePort(),
  NOSTROMO_POOLER_PORT: await freePort(),
  NOSTROMO_INSPECTOR_PORT: await freePort(),
};
const MARK = "NOSTROMO_LIFECYCLE_RUN";
let runs = 0;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  waitFor(line: RegExp, timeoutMs?: number): Promise<void>;
  interrupt(how: Interrupt): void;
  /** Waits until nothing of the run is left; returns the time it took, or what was left after the limit. */
  gone(limitMs: number, checkPorts?: boolean): Promise<{ ms: number; processes: string[]; ports: number[] }>;
  /** Test cleanup: SIGKILL whatever the run left (only its own processes, checked by start time). */
  reap(): void;
}

function startRun(onTerminal = false): Run {
  const mark = `${process.pid}-${++runs}-${Date.now()}`;
  const [cmd, ...args] = onTerminal
    ? ["script", "-qfec", "npm start --silent", "/dev/null"]
    : ["npm", "start", "--silent"];
  const child = spawn(cmd as string, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      NOSTROMO_DATA_DIR: join(dir, "data"),
      [MARK]: mark,
    },
  });
  let out = "";
  const waiters = new Set<() => void>();
  const append = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const seen = new Map<number, ProcInfo>();
  const sample = () => {
    const root = child.pid ? procStat(child.pid) : null;
    if (root && child.exitCode === null) seen.set(root.pid, root);
    if (child.pid) for (const p of descendants(child.pid)) seen.set(p.pid, p);
    for (const pid of pidsWithEnv(MARK, mark)) {
      const s = procStat(pid);
      if (s) seen.set(pid, s);
    }
  };
  const sampler = setInterval(sample, 150);
  const left = () => {
    sample();
    return [...seen.values()].filter((p) => isAlive(p.pid, p.startTime));
  };
  return {
    child,
    output: () => out,
    exited,
    waitFor: (line, timeoutMs = 120_000) =>
      new Promise<void>((res, rej) => {
        const check = () => {
          if (line.test(out)) done(res);
        };
        const done = (f: () => void) => {
          waiters.delete(check);
          clearTimeout(timer);
          f();
        };
        const timer = setTimeout(
          () => done(() => rej(new Error(`no ${line} within ${timeoutMs} ms; output:\n${out}`))),
          timeoutMs,
        );
        waiters.add(check);
        void exited.then(() =>
          setTimeout(() => done(() => rej(new Error(`exited before ${line}:\n${out}`))), 100),
        );
        check();
      }),
    interrupt(how) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`npm start had already exited before ${how}:\n${out}`);
      sample();
      const pid = child.pid ?? 0;
      if (how === "terminal closed") process.kill(pid, "SIGKILL");
      else if (how === "SIGTERM to npm") process.kill(pid, "SIGTERM");
      else process.kill(-pid, how === "SIGINT to the group" ? "SIGINT" : "SIGHUP");
    },
    async gone(limitMs, checkPorts = true) {
      const started = Date.now();
      for (;;) {
        const procs = left();
        const busy: number[] = [];
        if (checkPorts)
          for (const port of Object.values(ports)) if (!(await portIsFree(port))) busy.push(port);
        const ms = Date.now() - started;
        if ((procs.length === 0 && busy.length === 0) || ms > limitMs) {
          clearInterval(sampler);
          return {
            ms,
            processes: procs.map((p) => `${p.pid} ${commandLine(p.pid).slice(0, 100)}`),
            ports: busy,
          };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    reap() {
      clearInterval(sampler);
      for (const p of left()) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

async function interruptAt(step: Step, how: Interrupt): Promise<number> {
  const run = startRun(how === "terminal closed");
  try {
    await run.waitFor(STEPS[step]);
    // Let the step's child (initdb/postgres, wrangler, the agent) be spawned and busy.
    await new Promise((r) => setTimeout(r, step === "running" ? 0 : 700));
    run.interrupt(how);
    const result = await run.gone(STOP_WITHIN_MS);
    expect(result, `left after ${how} at ${step}; output:\n${run.output()}`).toMatchObject({
      processes: [],
      ports: [],
    });
    console.log(`[lifecycle] ${how} at ${step}: everything stopped in ${result.ms} ms`);
    return result.ms;
  } finally {
    run.reap();
  }
}

const FULL = process.env.NOSTROMO_LIFECYCLE_FULL === "1";
const HOW: Interrupt[] = ["SIGINT to the group", "SIGTERM to npm", "SIGHUP to the group", "terminal closed"];
const STARTUP: Step[] = ["postgres", "migrations", "worker", "agent"];
// The full run also repeats the case of the report ("9 of 10 Ctrl-C left the Worker running") ten times.
const CASES: [Step, Interrupt][] = FULL
  ? [
      ...[...STARTUP, "running" as const].flatMap((s) => HOW.map((h): [Step, Interrupt] => [s, h])),
      ...Array.from({ length: 9 }, (): [Step, Interrupt] => ["running", "SIGINT to the group"]),
    ]
  : [...STARTUP.map((s, i): [Step, Interrupt] => [s, HOW[i % HOW.length] as Interrupt])];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.sequential("npm start stops everything it started", () => {
  it.each(CASES)(
    "interrupted at %s by %s",
    async (step, how) => {
      await interruptAt(step, how);
    },
    180_000,
  );

  it("once running: a second npm start on the same data dir fails fast and clearly; the first keeps serving and stops on Ctrl-C", async () => {
    const first = startRun();
    try {
      await first.waitFor(STEPS.running);
      const second = startRun();
      try {
        const code = await second.exited;
        expect(code).not.toBe(0);
        expect(second.output()).toMatch(/already running/);
        // Fast = refused before starting anything (a wall-clock bound would only measure the machine's load).
        expect(second.output()).not.toMatch(STEPS.postgres);
        expect(await second.gone(STOP_WITHIN_MS, false)).toMatchObject({ processes: [] });
      } finally {
        second.reap();
      }
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/api/health`)).status).toBe(200);
      first.interrupt("SIGINT to the group");
      const result = await first.gone(STOP_WITHIN_MS);
      expect(result, `left after Ctrl-C; output:\n${first.output()}`).toMatchObject({
        processes: [],
        ports: [],
      });
    } finally {
      first.reap();
    }
  }, 240_000);

  it("a run killed with SIGKILL leaves its children; the next npm start stops them, says so, starts, and stops on SIGHUP", async () => {
    const crashed = startRun();
    try {
      await crashed.waitFor(STEPS.running);
      const main = descendants(crashed.child.pid ?? 0).find((p) =>
        commandLine(p.pid).includes("infra/dev/start.ts"),
      );
      expect(main).toBeDefined();
      process.kill(main?.pid ?? 0, "SIGKILL");
      await crashed.exited;
      const again = startRun();
      try {
        await again.waitFor(STEPS.running);
        expect(again.output()).toMatch(
          /an earlier run ended without stopping its children; stopping them: .*PostgreSQL/,
        );
        expect(await crashed.gone(STOP_WITHIN_MS, false), "the crashed run's children").toMatchObject({
          processes: [],
        });
        again.interrupt("SIGHUP to the group");
        const result = await again.gone(STOP_WITHIN_MS);
        expect(result, `left after SIGHUP; output:\n${again.output()}`).toMatchObject({
          processes: [],
          ports: [],
        });
      } finally {
        again.reap();
      }
    } finally {
      crashed.reap();
    }
  }, 240_000);

  it("a port held by another program: npm start fails at once, naming the port, its holder and what to do", async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(ports.PORT, "127.0.0.1", () => r()));
    const run = startRun();
    try {
      expect(await run.exited).toBe(1);
      expect(run.output(), "refused before starting anything").not.toMatch(STEPS.postgres);
      expect(run.output()).toContain(
        `step "ports": port ${ports.PORT} (PORT) is already in use by pid ${process.pid} (`,
      );
      expect(run.output()).toContain("what to do: stop that process, or choose another port: PORT=");
      expect(await run.gone(STOP_WITHIN_MS, false)).toMatchObject({ processes: [] });
    } finally {
      run.reap();
      await new Promise((r) => holder.close(r));
    }
  }, 60_000);
});
