// Refuses to serve with an invalid configuration (e.g. DB_ENCRYPTION_KEY under 32 characters).
import { createMiddleware } from "hono/factory";
import { configSchema } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, zodDetails } from "../errors.ts";

let checked: WeakRef<object> | null = null;

export const configGuard = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (checked?.deref() !== c.env) {
      const r = configSchema.safeParse(c.env);
      if (!r.success) {
        console.error(
          JSON.stringify({ level: "error", msg: "invalid configuration", details: zodDetails(r.error) }),
        );
        throw new ApiError(
          "CONFIG_INVALID",
          "The server is misconfigured",
          zodDetails(r.error).fields.map((f) => f.path),
        );
      }
      checked = new WeakRef(c.env);
    }
    await next();
  });
