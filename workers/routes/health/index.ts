// GET /api/health: liveness plus a real database round trip (503 with db "down" when it fails).
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";

const DB_TIMEOUT_MS = 3_000;

export const health = new Hono<AppEnv>().get("/", async (c) => {
  const version = c.env.NOSTROMO_VERSION;
  let db: "up" | "down" = "down";
  try {
    await Promise.race([
      c.var.db.execute(sql`select 1`),
      new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), DB_TIMEOUT_MS)),
    ]);
    db = "up";
  } catch {
    db = "down";
  }
  return c.json({ status: db === "up" ? "ok" : "degraded", db, version }, db === "up" ? 200 : 503);
});
