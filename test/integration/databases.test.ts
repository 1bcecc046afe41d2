// One way to open a database (workers/db/databases.ts): PostgreSQL connections opened for many statements,
// counted by PostgreSQL itself (pg_stat_database.sessions) on a database of this test's own, so that other
// test files running beside it do not touch the count. A Durable Object's Databases reuses its pool for
// every event; opening one per statement — what SessionRoom's command writes did — costs a connection each.
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configureNeon, createDb } from "../../db/client.ts";
import { Databases, withDatabases } from "../../workers/db/databases.ts";

const STATEMENTS = 40;
const dbName = `dbconn_${Date.now()}`;
const admin = () => createDb(inject("pgAdminUrl"));
let url = "";

async function sessionsOpened(): Promise<number> {
  const { pool } = admin();
  try {
    // Backends report their session count when they exit: wait until none is left on the database.
    for (let i = 0; i < 100; i++) {
      const live = await pool.query("select count(*)::int as n from pg_stat_activity where datname = $1", [
        dbName,
      ]);
      if (live.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await pool.query("select pg_stat_clear_snapshot()");
    const r = await pool.query("select sessions::int as n from pg_stat_database where datname = $1", [
      dbName,
    ]);
    return r.rows[0].n;
  } finally {
    await pool.end();
  }
}

async function counted(run: () => Promise<void>): Promise<number> {
  const before = await sessionsOpened();
  await run();
  return (await sessionsOpened()) - before;
}

beforeAll(async () => {
  configureNeon(env.NEON_WS_PROXY);
  const { pool } = admin();
  await pool.query(`create database ${dbName}`);
  await pool.end();
  url = inject("pgAdminUrl").replace(/\/postgres$/, `/${dbName}`);
});

afterAll(async () => {
  const { pool } = admin();
  await pool.query(`drop database if exists ${dbName} with (force)`);
  await pool.end();
});

describe("Databases", () => {
  it("a Durable Object's pools serve every statement on at most two connections", async () => {
    const dbs = Databases.forObject({ ...env, DATABASE_URL: url });
    const opened = await counted(async () => {
      for (let i = 0; i < STATEMENTS; i++) await dbs.control((db) => db.execute(sql`select ${i}`));
      await dbs.close();
    });
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(2);
  });

  it("opening per statement (the old way) costs one connection each: the count is real", async () => {
    const opened = await counted(async () => {
      for (let i = 0; i < STATEMENTS; i++)
        await withDatabases({ ...env, DATABASE_URL: url }, (dbs) =>
          dbs.control((db) => db.execute(sql`select ${i}`)),
        );
    });
    expect(opened).toBe(STATEMENTS);
  });

  it("a failed statement drops the object's pool and the next use opens a fresh one", async () => {
    const dbs = Databases.forObject({ ...env, DATABASE_URL: url });
    await expect(dbs.control((db) => db.execute(sql`select * from no_such_table`))).rejects.toThrow();
    await expect(dbs.control((db) => db.execute(sql`select 1 as one`))).resolves.toBeDefined();
    await dbs.close();
  });

  it("a request's databases are all closed after close()", async () => {
    const dbs = Databases.forRequest({ ...env, DATABASE_URL: url });
    await dbs.controlDb.execute(sql`select 1`);
    await dbs.close();
    const { pool } = admin();
    try {
      let n = 1;
      for (let i = 0; i < 50 && n > 0; i++) {
        const r = await pool.query("select count(*)::int as n from pg_stat_activity where datname = $1", [
          dbName,
        ]);
        n = r.rows[0].n;
        if (n > 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(n).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
