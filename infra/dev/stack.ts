// The local Nostromo stack, used by `npm start` and by the end-to-end tests: a real PostgreSQL (embedded, or
// DATABASE_URL), migrations and demo data, PgBouncer in transaction mode in front of it for the Worker (the
// local stand-in for production's pooler; pgbouncer.ts says why), the Neon WebSocket relay, and the Worker in workerd through
// `wrangler dev`, optionally the local agent and a demo SSH target. Every child is spawned through a
// Supervisor (the caller's, or a private one), so stop() — or a signal to `npm start` — at any moment,
// during start-up too, stops everything and frees every port. One stack per data dir (stack-lock.ts).
// Each step that fails says which step, why, and what to do (start-error.ts).
// Fault hooks (the fault suite, the soak run): restart the Worker or the relay under a live stack, the
// Worker's output to a callback, process ids, relay connections. A restarted part is registered with the
// supervisor again, so stop() or a signal stops it like the first one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDatabase, migratePlatform, nodeDb } from "../../db/node.ts";
import { ensureDemoTenant, ensureSuperAdmin } from "./bootstrap.ts";
import { startDemoTarget, startLocalAgent } from "./local-agent.ts";
import { findPgbouncer, startPgbouncer } from "./pgbouncer.ts";
import { freePort, PostgresStartError, type RunningPostgres, startPostgres } from "./postgres.ts";
import { portHolder, portIsFree } from "./procs.ts";
import { acquireStackLock } from "./stack-lock.ts";
import { StartError, step } from "./start-error.ts";
import { Supervisor } from "./supervisor.ts";
import { startWorker, type WorkerOptions, workerPids } from "./worker.ts";
import { type Relay, startRelay } from "./ws-relay.ts";

export interface StackOptions {
  dataDir: string;
  port: number;
  databaseUrl?: string;
  pgPort?: number;
  superAdmin: { email: string; password: string };
  demoAdmin: { email: string; password: string };
  masterKey?: string;
  log?: (line: string) => void;
  quietWorker?: boolean;
  /** Receives the Worker's output (stdout and stderr), whether or not it is shown. */
  onWorkerOutput?: (text: string) => void;
  /** Enrol (first start) and run a local agent for the demo tenant (`npm start`). */
  agent?: boolean;
  /** Spawn every child through this supervisor (`npm start` owns one, with its signal handlers). */
  supervisor?: Supervisor;
  /** Port of the local pooler, PgBouncer (default: a free one). */
  poolerPort?: number;
  /** Run the Worker without the pooler, straight to PostgreSQL (default: pooled when pgbouncer is installed). */
  noPooler?: boolean;
  /** Port of the Neon WebSocket relay (default: a free one). */
  relayPort?: number;
  /** Port of wrangler's inspector (default: a free one). */
  inspectorPort?: number;
  /** How long PostgreSQL may take to accept connections (default 120 s). */
  pgReadyTimeoutMs?: number;
  /** Fault tests and the soak run: each line wrangler dev / workerd prints (instead of the terminal). */
  workerOutput?: (line: string) => void;
  /** More Worker vars (tests and benchmarks: VIEWER_RELAY_THRESHOLD, BENCH_TRACE). */
  workerVars?: Record<string, string>;
}

export interface Stack {
  url: string;
  databaseUrl: string;
  /** What the Worker connects to: `databaseUrl` through PgBouncer, or `databaseUrl` itself without it. */
  workerDatabaseUrl: string;
  masterKey: string;
  demoTenantId: string;
  stop(): Promise<void>;
  // ── fault hooks (fault suite, soak run): restart one part under a live stack ──
  /** Stops wrangler dev (and its workerd) and starts it again on the same port; resolves once healthy. */
  restartWorker(): Promise<void>;
  /** Closes the database relay (dropping every connection through it) and reopens it on the same port. */
  restartRelay(): Promise<void>;
  /** Process ids of the parts that run as processes (the relay runs inside this process): wrangler, the
   * workerd runtimes, and wrangler's other helpers (its runtime node process, esbuild). */
  pids(): { wrangler: number | null; workerd: number[]; helpers: number[] };
  /** Database connections open through the relay right now. */
  relayConnections(): number;
  /** Database connections opened through the relay since it (re)started. */
  relayOpened(): number;
  /** wrangler dev's inspector port (the Chrome DevTools protocol into the Worker's isolate). */
  inspectorPort: number;
}

function masterKeyFor(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, "master.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Fails with who holds a port we are about to listen on, and how to pick another. */
async function checkPorts(ports: Record<string, number>): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!port || (await portIsFree(port))) continue;
    const holder = portHolder(port);
    throw new StartError(
      "ports",
      `port ${port} (${name}) is already in use${holder ? ` by ${holder}` : ""}`,
      `stop that process, or choose another port: ${name}=<free port> npm start`,
    );
  }
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const sup = opts.supervisor ?? new Supervisor({ log });
  const stop = () => sup.shutdown();
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const embedded = !opts.databaseUrl;
  const pgPort = embedded ? (opts.pgPort ?? (await freePort())) : 0;
  const ports: Record<string, number> = { PORT: opts.port };
  if (embedded) ports.PG_PORT = pgPort;
  if (opts.relayPort) ports.NOSTROMO_RELAY_PORT = opts.relayPort;
  if (opts.poolerPort) ports.NOSTROMO_POOLER_PORT = opts.poolerPort;
  if (opts.inspectorPort) ports.NOSTROMO_INSPECTOR_PORT = opts.inspectorPort;
  try {
    const lock = await step(
      sup,
      "data dir",
      "use the running one, or stop it first (Ctrl-C in its terminal); a second stack needs its own NOSTROMO_DATA_DIR, PORT and PG_PORT",
      () => acquireStackLock(dataDir, ports, log),
    );
    sup.afterShutdown(() => lock.release());
    sup.watch((children) => lock.update(children));
    await step(sup, "ports", "", () => checkPorts(ports));

    let databaseUrl = opts.databaseUrl ?? "";
    if (embedded) {
      log("starting PostgreSQL…");
      const pgDir = join(dataDir, "pg");
      const start = () =>
        startPostgres({
          dataDir: pgDir,
          port: pgPort,
          persistent: true,
          supervisor: sup,
          readyTimeoutMs: opts.pgReadyTimeoutMs,
        });
      const pg: RunningPostgres = await step(
        sup,
        "PostgreSQL",
        "the data dir must be writable and PG_PORT free; the cause is above",
        async () => {
          try {
            return await start();
          } catch (err) {
            // An early exit with no cause recognised in its log is worth one more try: the data dir is
            // untouched by a server that never became ready.
            if (!(err instanceof PostgresStartError) || !err.retryable || sup.stopping) throw err;
            log(`PostgreSQL did not start (${err.message}); trying once more…`);
            await new Promise((r) => setTimeout(r, 2_000));
            return start();
          }
        },
      );
      await step(
        sup,
        "database",
        "PostgreSQL is up but refused to create the database: see the cause above",
        () => ensureDatabase(pg.url("postgres"), "nostromo"),
      );
      databaseUrl = pg.url("nostromo");
    }
    log("applying migrations…");
    await step(
      sup,
      "migrations",
      embedded
        ? "the database may be damaged: if it holds nothing you need, remove the data dir's pg folder"
        : "check DATABASE_URL points at a reachable PostgreSQL you may migrate",
      () => migratePlatform(databaseUrl),
    );
    const masterKey = masterKeyFor(dataDir, opts.masterKey);
    const demoTenantId = await step(
      sup,
      "demo data",
      "the demo data was made with another master key or logins: set DB_ENCRYPTION_KEY as before, or start from an empty data dir",
      async () => {
        const { db, pool } = nodeDb(databaseUrl);
        try {
          await ensureSuperAdmin(db, opts.superAdmin.email, opts.superAdmin.password);
          return await ensureDemoTenant(db, masterKey, opts.demoAdmin);
        } finally {
          await pool.end();
        }
      },
    );
    const pgbouncer = opts.noPooler ? null : findPgbouncer();
    let workerDatabaseUrl = databaseUrl;
    if (pgbouncer) {
      log("starting the database pooler (PgBouncer)…");
      const pooler = await step(sup, "pooler", "", () =>
        startPgbouncer(sup, pgbouncer, databaseUrl, opts.poolerPort),
      );
      workerDatabaseUrl = pooler.url;
    } else if (!opts.noPooler) {
      log(
        "PgBouncer is not installed: the Worker connects to PostgreSQL directly (bursts of requests may be refused; install the pgbouncer package)",
      );
    }
    const ownRelay = (port: number) =>
      sup.own(
        "relay",
        "data",
        () => startRelay(port),
        (r) => r.close(),
      );
    let relay: Relay = await step(sup, "relay", "choose another NOSTROMO_RELAY_PORT", () =>
      ownRelay(opts.relayPort ?? 0),
    );

    log(`starting the Worker (wrangler dev) on port ${opts.port}…`);
    const workerOpts: WorkerOptions = {
      dataDir,
      port: opts.port,
      inspectorPort: opts.inspectorPort ?? (await freePort()),
      quiet: opts.quietWorker,
      output: opts.workerOutput,
      onOutput: opts.onWorkerOutput,
      vars: {
        DATABASE_URL: workerDatabaseUrl,
        NEON_WS_PROXY: relay.proxy,
        DB_ENCRYPTION_KEY: masterKey,
        ENVIRONMENT: "development",
        ...opts.workerVars,
      },
    };
    let worker = await step(sup, "Worker", "read the Worker's output above", () =>
      startWorker(sup, workerOpts),
    );
    const url = worker.url;
    if (opts.agent) {
      log("starting the local agent…");
      await step(sup, "local agent", "read the agent's output above", () =>
        startLocalAgent(sup, url, join(dataDir, "agent"), demoTenantId, opts.demoAdmin, log),
      );
      await step(
        sup,
        "demo SSH target",
        "read the output above; the stack works without the demo target",
        () => startDemoTarget(sup, url, dataDir, demoTenantId, opts.demoAdmin, log),
      );
    }
    return {
      url,
      databaseUrl,
      workerDatabaseUrl,
      masterKey,
      demoTenantId,
      stop,
      async restartWorker() {
        await sup.stop(worker.child);
        // Spawned through the supervisor again: registered, so stop() or a signal stops the new one too.
        worker = await startWorker(sup, workerOpts);
      },
      async restartRelay() {
        await relay.close();
        // The Worker's NEON_WS_PROXY names this port; the new relay is owned (closed at shutdown) as well.
        relay = await ownRelay(relay.port);
      },
      relayConnections: () => relay.connections(),
      relayOpened: () => relay.opened(),
      inspectorPort: workerOpts.inspectorPort,
      pids: () => workerPids(worker.child),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
