// /api/audit — being built (see the issue); registered in app.ts.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";

export const auditRoutes = new Hono<AppEnv>();
