// The Hono application: middleware order matters — request id, deadline, config, body limit, text input
// check, database, routes.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { agentsRoutes } from "./agents/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { authenticate, clientIp } from "./auth/authenticate.ts";
import { auth } from "./auth/routes.ts";
import { adminRemoteSessions, commandCenterSessions, dashboardRoutes } from "./command-center/routes.ts";
import { commandsRoutes } from "./commands/routes.ts";
import { connectionsRoutes } from "./connections/routes.ts";
import { documentRoutes } from "./contract/document.ts";
import type { AppEnv } from "./env.ts";
import { ApiError, errorBody, handleError } from "./errors.ts";
import { execRoutes } from "./exec/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { jobsRoutes } from "./jobs/routes.ts";
import { configGuard } from "./middleware/config.ts";
import { database } from "./middleware/database.ts";
import { deadline } from "./middleware/deadline.ts";
import { requestId } from "./middleware/request-id.ts";
import { textInput } from "./middleware/text-input.ts";
import { monitoringRoutes } from "./monitoring/routes.ts";
import { policiesRoutes } from "./policies/routes.ts";
import { rdpRoutes } from "./rdp/routes.ts";
import { recordingsRoutes } from "./recordings/routes.ts";
import { rolesRoutes } from "./roles/routes.ts";
import { remoteSessionsRoutes } from "./sessions/routes.ts";
import { settingsRoutes } from "./settings/routes.ts";
import { sshKeysRoutes } from "./ssh-keys/routes.ts";
import { ssoRoutes } from "./sso/routes.ts";
import { ssoSignInRoutes } from "./sso/signin-routes.ts";
import { tenantResolver } from "./tenancy/resolver.ts";
import { tenantRoutes } from "./tenancy/routes.ts";
import { tenantsRoutes } from "./tenants/routes.ts";
import { tunnelsRoutes } from "./tunnels/routes.ts";
import { usersRoutes } from "./users/routes.ts";

export const MAX_BODY_BYTES = 256 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("/api/*", deadline());
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
  app.use("/api/*", textInput());
  app.use("/api/*", database());
  app.use("/api/*", clientIp());
  app.route("/api/health", healthRoutes);
  app.route("/api", documentRoutes(app));
  app.use("/api/*", tenantResolver());
  app.use("/api/*", authenticate());

  app.route("/api/auth/sso", ssoSignInRoutes);
  app.route("/api/auth", auth);
  app.route("/api/admin/tenants", tenantsRoutes);
  app.route("/api/admin/dashboard", dashboardRoutes);
  app.route("/api/admin/monitoring", monitoringRoutes);
  app.route("/api/admin/jobs", jobsRoutes);
  app.route("/api/admin/remote-sessions", adminRemoteSessions);
  app.route("/api/agents", agentsRoutes);
  app.route("/api/sessions", commandCenterSessions);
  app.route("/api/tenant", tenantRoutes);
  app.route("/api/users", usersRoutes);
  app.route("/api/roles", rolesRoutes);
  app.route("/api/settings", settingsRoutes);
  app.route("/api/sso", ssoRoutes);
  app.route("/api/audit", auditRoutes);
  app.route("/api/connections", connectionsRoutes);
  app.route("/api/connections", execRoutes);
  app.route("/api/remote-sessions", remoteSessionsRoutes);
  app.route("/api/tunnels", tunnelsRoutes);
  app.route("/api/rdp", rdpRoutes);
  app.route("/api/recordings", recordingsRoutes);
  app.route("/api/commands", commandsRoutes);
  app.route("/api/ssh-keys", sshKeysRoutes);
  app.route("/api/policies", policiesRoutes);

  app.notFound((c) =>
    c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404),
  );
  app.onError(handleError);
  return app;
}

export const app = createApp();
