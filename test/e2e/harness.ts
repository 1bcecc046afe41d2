// End-to-end harness (Node): a fresh database on the test PostgreSQL, the real local stack (wrangler dev
// + relay) on a free port. The HTTP client, the agent process and waitFor are @nostromo/testkit's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_ADMIN } from "@nostromo/testkit";
import { inject } from "vitest";
import { dropDatabase, ensureDatabase } from "../../db/node.ts";
import { freePort } from "../../infra/dev/postgres.ts";
import { type Stack, startStack } from "../../infra/dev/stack.ts";
export interface E2E {
  stack: Stack;
  port: number;
  dir: string;
  /** Everything the Worker (wrangler dev and workerd) printed so far, across restarts. */
  workerOutput(): string;
  restartEdge(): Promise<void>;
  close(): Promise<void>;
}

export async function startE2E(name: string, workerVars: Record<string, string> = {}): Promise<E2E> {
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
    workerVars,
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

export { type AgentProcess, DEMO_ADMIN, Http, ROOT, startAgent, waitFor } from "@nostromo/testkit";
