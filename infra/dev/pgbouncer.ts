// The local stand-in for the connection pooler production puts between the Worker and PostgreSQL (Neon's
// pooled endpoint, Hyperdrive): PgBouncer in transaction mode, Debian's `pgbouncer` package, run by us.
// Why: every request of the stateless Worker opens PostgreSQL connections of its own, and a burst of 200
// requests was refused wholesale (503 DATABASE_UNAVAILABLE for all; docs/benchmarks.md, Request bursts).
// Measured cause: the Neon driver computes SCRAM's PBKDF2 in JavaScript, ~0.1 s of the isolate's single
// thread per connection, so a burst's handshakes queued past the driver's 5 s connect timeout; and with no
// pool PostgreSQL saw up to 121 backends and "too many clients". So the Worker authenticates to PgBouncer
// with a cleartext password, on loopback only — the path the driver is built for (its default
// `pipelineConnect: "password"` works only with cleartext password auth, which it sends over TLS to Neon)
// — and PgBouncer serves every client from a bounded set of server connections, logging in to
// PostgreSQL with SCRAM rarely, and queues the rest (bounded wait). The app uses nothing session-scoped
// (named prepared statements, SET without LOCAL, LISTEN, session advisory locks), so transaction mode is
// safe. PgBouncer refuses to run as root: as root it runs as the "postgres" system user, like PostgreSQL.
// Without PgBouncer installed the stack still starts (the Worker then connects to PostgreSQL directly)
// and says so. NOSTROMO_PGBOUNCER names the binary if it is elsewhere.
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort, PostgresStartError, runAs } from "./postgres.ts";
import { StoppedError, type Supervisor } from "./supervisor.ts";

export interface Pooler {
  port: number;
  /** The same database as `databaseUrl`, reached through the pooler (what the Worker is given). */
  url: string;
}

/** Server connections PgBouncer keeps per database and user: what a burst is served by. */
const POOL_SIZE = 20;
/** How long a client may wait for a server connection before PgBouncer answers an error (seconds). */
const QUERY_WAIT_S = 15;

const SEARCH = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/bin"];

/** The pgbouncer binary: NOSTROMO_PGBOUNCER, else on PATH or where packages put it; null if absent. */
export function findPgbouncer(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NOSTROMO_PGBOUNCER) return env.NOSTROMO_PGBOUNCER;
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), ...SEARCH];
  return dirs.map((d) => join(d, "pgbouncer")).find((p) => existsSync(p)) ?? null;
}

const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** pgbouncer.ini and its auth file for one upstream PostgreSQL (pure, so it is unit-tested). */
export function pgbouncerConfig(databaseUrl: string, port: number, authFile: string) {
  const u = new URL(databaseUrl);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const ini = [
    "[databases]",
    `* = host=${u.hostname} port=${u.port || 5432}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = plain",
    `auth_file = ${authFile}`,
    "pool_mode = transaction",
    "max_client_conn = 2000",
    `default_pool_size = ${POOL_SIZE}`,
    "listen_backlog = 1024",
    `query_wait_timeout = ${QUERY_WAIT_S}`,
    // PostgreSQL restarted: try again after 0.1 s, not after the default 15 s.
    "server_login_retry = 0.1",
    "ignore_startup_parameters = extra_float_digits,options",
    "log_connections = 0",
    "log_disconnections = 0",
    "",
  ].join("\n");
  const pooled = new URL(databaseUrl);
  pooled.hostname = "127.0.0.1";
  pooled.port = String(port);
  return { ini, auth: `${quoted(user)} ${quoted(password)}\n`, url: pooled.toString() };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

/** Starts PgBouncer in front of `databaseUrl` under the supervisor; resolves once it accepts connections. */
export async function startPgbouncer(
  sup: Supervisor,
  binary: string,
  databaseUrl: string,
  port = 0,
  readyTimeoutMs = 15_000,
): Promise<Pooler> {
  const actual = port || (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "nostromo-pgbouncer-"));
  const ids = runAs();
  const authFile = join(dir, "users.txt");
  const cfg = pgbouncerConfig(databaseUrl, actual, authFile);
  writeFileSync(join(dir, "pgbouncer.ini"), cfg.ini, { mode: 0o600 });
  writeFileSync(authFile, cfg.auth, { mode: 0o600 });
  if (ids.uid !== undefined && ids.gid !== undefined)
    for (const p of [dir, join(dir, "pgbouncer.ini"), authFile]) chownSync(p, ids.uid, ids.gid);
  let log = "";
  const child = sup.spawn("PgBouncer", binary, [join(dir, "pgbouncer.ini")], {
    ...ids,
    tier: "data",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onLog = (d: Buffer) => {
    log = (log + d.toString()).slice(-4_000);
  };
  child.stdout?.on("data", onLog);
  child.stderr?.on("data", onLog);
  let spawnError: Error | null = null;
  child.once("error", (err) => {
    spawnError = err;
  });
  // Its files (the auth file holds the password) are read at start-up and on a reload, which nobody sends:
  // removed once it accepts connections, or once it exits — so even a SIGKILLed `npm start` leaves none.
  const removeFiles = () => rmSync(dir, { recursive: true, force: true });
  child.once("exit", removeFiles);
  const fail = (why: string) =>
    new PostgresStartError(
      `PgBouncer ${why}`,
      log.trim().split("\n").slice(-10).join("\n"),
      `its log is above; NOSTROMO_POOLER_PORT chooses another port, or uninstall pgbouncer to connect directly`,
    );
  const deadline = performance.now() + readyTimeoutMs;
  for (;;) {
    if (sup.stopping) throw new StoppedError();
    if (spawnError) throw fail(`could not be started: ${(spawnError as Error).message}`);
    if (child.exitCode !== null || child.signalCode !== null)
      throw fail(
        `exited (${child.signalCode ?? `exit code ${child.exitCode}`}) before accepting connections`,
      );
    if (await accepts(actual)) {
      removeFiles();
      return { port: actual, url: cfg.url };
    }
    if (performance.now() > deadline) throw fail(`did not accept connections within ${readyTimeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
