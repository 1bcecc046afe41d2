// One database pool per request (Workers may not share I/O objects across requests); closed after the
// response is sent. The pool connects lazily, so routes that never query never open a socket.
import { createMiddleware } from "hono/factory";
import { configureNeon, createDb } from "../../db/client.ts";
import type { AppEnv } from "../env.ts";

export const database = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    configureNeon(c.env.NEON_WS_PROXY);
    const { db, pool } = createDb(c.env.DATABASE_URL);
    c.set("db", db);
    const cleanups: (() => Promise<unknown>)[] = [];
    c.set("cleanups", cleanups);
    try {
      await next();
    } finally {
      // Cleanups first (they may still use the pool), then the pool itself.
      const closing = (async () => {
        for (const f of cleanups) await f().catch(() => {});
        await pool.end().catch(() => {});
      })();
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        // No execution context (direct app.request in unit tests): just let it finish.
      }
    }
  });
