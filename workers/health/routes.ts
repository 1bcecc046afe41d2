// GET /api/health: liveness plus a real database round trip. Down answers 503 with the error body (code
// DATABASE_UNAVAILABLE, like every route that needs the database) carrying the same health fields, so a
// probe reads `db` either way and a client handles it like any other error.
import { Hono } from "hono";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { DATABASE_RETRY_AFTER_S, errorBody } from "../errors.ts";
import { Health } from "./schemas.ts";
import { databaseUp } from "./store.ts";

export const healthRoutes = new Hono<AppEnv>().get(
  "/",
  op({
    tag: "Platform",
    summary: "Liveness and database state",
    description:
      "503 (DATABASE_UNAVAILABLE) when the database cannot be reached; the body then also says db: down.",
    access: "public",
    responses: { 200: Health },
    errors: ["DATABASE_UNAVAILABLE"],
  }),
  async (c) => {
    const version = c.env.NOSTROMO_VERSION;
    if (await databaseUp(c.var.db)) return c.json({ status: "ok", db: "up", version } satisfies Health);
    const down: Health = { status: "degraded", db: "down", version };
    const body = errorBody("DATABASE_UNAVAILABLE", "The database cannot be reached", c.var.requestId);
    c.header("Retry-After", String(DATABASE_RETRY_AFTER_S));
    return c.json({ ...down, ...body }, 503);
  },
);
