// End-to-end harness (Node): a fresh database on the test PostgreSQL, the real local stack (wrangler dev
// + relay) on a free port, a tiny HTTP client, and the real agent as a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inject } from "vitest";
import { dropDatabase, ensureDatabase } from "../../db/node.ts";
import { freePort } from "../../infra/dev/postgres.ts";
import { type Stack, startStack } from "../../infra/dev/stack.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DEMO_ADMIN = { email: "admin@demo-e2e.example", password: "demo-admin-password-e2e" };

export interface E2E {
  stack: Stack;
  port: number;
  dir: string;
  /** Everything the Worker (wrangler dev and workerd) printed so far, across restarts. */
  workerOutput(): string;
  restartEdge(): Promise<void>;
  close(): Promise<void>;
}

export async function startE2E(name: string): Promise<E2E> {
  const dbName = `e2e_${name}_${process.pid}_${Date.now()}`;
  const admin = inject("pgAdminUrl");
  await ensureDatabase(admin, dbName);
  const dir = mkdtempSync(join(tmpdir(), `nostromo-e2e-${name}-`));
  const port = await freePort();
  let output = "";
  const opts = {
    dataDir: join(dir, "data"),
    port,
    databaseUrl: admin.replace(/\/postgres$/, `/${dbName}`),
    superAdmin: inject("superAdmin"),
    demoAdmin: DEMO_ADMIN,
    masterKey: "e2e-master-key-0123456789-0123456789-0123",
    quietWorker: !process.env.NOSTROMO_E2E_VERBOSE,
    onWorkerOutput: (text: string) => {
      output += text;
    },
  };
  const e2e: E2E = {
    stack: await startStack(opts),
    port,
    dir,
    workerOutput: () => output,
    async restartEdge() {
      await e2e.stack.stop();
      e2e.stack = await startStack(opts);
    },
    async close() {
      await e2e.stack.stop();
      await dropDatabase(admin, dbName).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}

export class Http {
  cookie = "";
  csrf = "";
  bearer = "";
  constructor(
    public base: string,
    public tenantId?: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (this.tenantId) headers["x-tenant-id"] = this.tenantId;
    if (this.cookie) headers.cookie = `sid=${this.cookie}`;
    if (this.csrf && method !== "GET") headers["x-csrf-token"] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const sid = /(?:^|,\s*)sid=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    if (sid) this.cookie = sid;
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: res.status, body: json as T };
  }

  async login(email: string, password: string) {
    const r = await this.call<{ csrf_token: string }>("POST", "/api/auth/login", { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrf_token;
    return r;
  }
}

export interface AgentProcess {
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startAgent(env: Record<string, string>): AgentProcess {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "containers/agent/src/main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout?.on("data", (d: Buffer) => logs.push(...d.toString().split("\n").filter(Boolean)));
  child.stderr?.on("data", (d: Buffer) => logs.push(...d.toString().split("\n").filter(Boolean)));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  return {
    child,
    logs,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
