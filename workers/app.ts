// The Hono application: middleware order matters — request id, config, body limit, database, routes.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env.ts";
import { ApiError, errorBody, handleError } from "./errors.ts";
import { configGuard } from "./middleware/config.ts";
import { database } from "./middleware/database.ts";
import { requestId } from "./middleware/request-id.ts";
import { health } from "./routes/health/index.ts";

export const MAX_BODY_BYTES = 256 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", configGuard());
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use("/api/*", database());

  app.route("/api/health", health);

  app.notFound((c) =>
    c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404),
  );
  app.onError(handleError);
  return app;
}

export const app = createApp();
