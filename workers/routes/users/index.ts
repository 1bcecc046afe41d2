// /api/users — being built (see the issue); registered in app.ts.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";

export const usersRoutes = new Hono<AppEnv>();
