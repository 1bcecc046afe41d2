// PostgreSQL connections the edge opens, counted by PostgreSQL itself (log_connections: one "connection
// authorized" line per connection) on the real stack: a real agent sending a heartbeat and a metrics frame
// every second for a minute (AgentLink), then commands typed into a live session (SessionRoom: each
// command writes its record through a queue). Talks to the stack only through fetch and a raw WebSocket,
// so the same script measures any revision of the edge.
// Run: npx tsx bench/db-connections.ts   (about two minutes; needs root and sshd, like the e2e tests)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import WebSocket from "ws";
import { ensureDatabase } from "../db/node.ts";
import { freePort, startPostgres } from "../infra/dev/postgres.ts";
import { startStack } from "../infra/dev/stack.ts";

const ROOT = resolve(import.meta.dirname, "..");
const TELEMETRY_S = Number(process.env.DBCONN_TELEMETRY_SECONDS ?? 60);
const COMMANDS = Number(process.env.DBCONN_COMMANDS ?? 50);
const DB = "dbconn";
const DEMO = { email: "admin@demo-dbconn.example", password: "demo-admin-password-dbconn" };
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const { startSshd } = (await import(process.env.DBCONN_SSHD_MODULE ?? "@nostromo/testkit")) as {
  startSshd: () => Promise<{ port: number; user: string; password: string; stop(): Promise<void> }>;
};

let connections = 0;
const dir = mkdtempSync(join(tmpdir(), "nostromo-dbconn-"));
const pgServer = await startPostgres({
  dataDir: join(dir, "pg"),
  persistent: false,
  log: (text) => {
    for (const line of text.split("\n"))
      if (/connection authorized: .*database=dbconn/.test(line)) connections += 1;
  },
});
await ensureDatabase(pgServer.url("postgres"), DB);
const admin = new pg.Client({ connectionString: pgServer.url("postgres") });
await admin.connect();
await admin.query("alter system set log_connections = on");
await admin.query("select pg_reload_conf()");
const port = await freePort();
const stack = await startStack({
  dataDir: join(dir, "data"),
  port,
  databaseUrl: pgServer.url(DB),
  superAdmin: { email: "root@dbconn.example", password: "dbconn-root-password" },
  demoAdmin: DEMO,
  masterKey: "dbconn-master-key-0123456789-0123456789-0",
  quietWorker: true,
});
const sshd = await startSshd();
let agent: ChildProcess | null = null;

let sid = "";
let csrf = "";
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "x-tenant-id": stack.demoTenantId };
  if (sid) headers.cookie = `sid=${sid}`;
  if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const cookie = /(?:^|,\s*)sid=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (cookie) sid = cookie;
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function counted(what: string, run: () => Promise<void>): Promise<number> {
  await sleep(1_000);
  const before = connections;
  await run();
  await sleep(3_000);
  const n = connections - before;
  console.log(`${what}: ${n} PostgreSQL connections opened`);
  return n;
}

try {
  // The count is real: three connections of our own are three lines.
  const calibration = await counted("calibration, 3 direct connections", async () => {
    for (let i = 0; i < 3; i++) {
      const c = new pg.Client({ connectionString: pgServer.url(DB) });
      await c.connect();
      await c.end();
    }
  });
  if (calibration !== 3) throw new Error(`connection counting does not work (${calibration} of 3)`);
  csrf = (await api<{ csrf_token: string }>("POST", "/api/auth/login", DEMO)).csrf_token;
  const { token } = await api<{ token: string }>("POST", "/api/agents/enrollment-tokens", {});
  agent = spawn(process.execPath, ["--import", "tsx", join(ROOT, "containers/agent/src/main.ts")], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      NOSTROMO_URL: `http://127.0.0.1:${port}`,
      NOSTROMO_ENROLL_TOKEN: token,
      NOSTROMO_STATE_DIR: join(dir, "agent"),
      NOSTROMO_HEARTBEAT_INTERVAL_MS: "1000",
      NOSTROMO_METRICS_INTERVAL_MS: "1000",
      NOSTROMO_LOG_LEVEL: "error",
    },
  });
  let agentId = "";
  for (let i = 0; i < 120 && !agentId; i++) {
    const r = await api<{ data: { id: string; online: boolean }[] }>("GET", "/api/agents");
    agentId = r.data.find((a) => a.online)?.id ?? "";
    if (!agentId) await sleep(500);
  }
  if (!agentId) throw new Error("agent not online");

  await counted(`agent link, ${TELEMETRY_S} heartbeats + ${TELEMETRY_S} metrics frames`, async () => {
    await sleep(TELEMETRY_S * 1_000);
  });

  const conn = await api<{ id: string }>("POST", "/api/connections", {
    name: "dbconn target",
    hostname: "127.0.0.1",
    port: sshd.port,
    username: sshd.user,
    auth_method: "password",
    password: sshd.password,
    agent_id: agentId,
  });
  const session = await api<{ id: string }>("POST", "/api/remote-sessions", {
    connection_id: conn.id,
    cols: 120,
    rows: 30,
  });
  const ws = new WebSocket(`${stack.url.replace(/^http/, "ws")}/api/remote-sessions/${session.id}/ws`, {
    headers: { cookie: `sid=${sid}`, "x-tenant-id": stack.demoTenantId },
  });
  let out = "";
  ws.on("message", (data, binary) => {
    if (binary) out += Buffer.from(data as Buffer).toString("utf8");
  });
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  await sleep(2_000);
  await counted(`live session, ${COMMANDS} commands typed (each one command record)`, async () => {
    for (let i = 0; i < COMMANDS; i++) {
      ws.send(Buffer.from(`echo dbconn-${i}-done\r`));
      for (let t = 0; t < 200 && !out.includes(`dbconn-${i}-done\r\n`); t++) await sleep(25);
    }
  });
  ws.close();
  console.log(`whole run: ${connections} PostgreSQL connections to the database`);
} finally {
  agent?.kill("SIGTERM");
  await sleep(500);
  await admin.end().catch(() => {});
  await sshd.stop();
  await stack.stop();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
