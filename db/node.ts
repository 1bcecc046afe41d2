// Node-side database access (CLI, dev stack, test setup): node-postgres + drizzle, same migrations and seed.
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { applyMigrations } from "./migrate.ts";
import { seedPredefinedRoles } from "./seed.ts";

export function nodeDb(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle client whose connection the server ends (a restart, `drop database … with (force)` right
  // after pool.end(), which resolves before its clients' sockets close) makes the pool emit "error"; with
  // no listener that is an uncaught exception in whatever process holds the pool (CI saw one kill a test
  // run). The client is dropped from the pool either way; the next query opens a fresh connection.
  pool.on("error", () => {});
  return { db: drizzle({ client: pool }), pool };
}

/** Migrates a platform (pooled) database: control plane + tenant schema + predefined roles. */
export async function migratePlatform(url: string): Promise<void> {
  const { db, pool } = nodeDb(url);
  try {
    await applyMigrations(db, "control");
    await applyMigrations(db, "tenant");
    await seedPredefinedRoles(db);
  } finally {
    await pool.end();
  }
}

/** Creates a database if it does not exist (admin URL points at an existing database, e.g. postgres). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}
