// The Command Center (super admins): every valid login of every tenant (GET /api/sessions), the kill
// switch (DELETE /api/sessions/:id, the seed's path), every tenant's live remote sessions and their kill
// (/api/admin/remote-sessions), and the dashboard summary (GET /api/admin/dashboard).
// The kill composes other domains' operations that still take the request (revoking the login, the kill
// hooks, opening a dedicated tenant database), so it is put together here.
import { type Context, Hono } from "hono";
import { audit, recordPlatformAudit } from "../audit/audit.ts";
import { currentSuperAdmin, requireSuperAdmin } from "../auth/guard.ts";
import { revokeLogin } from "../auth/logins.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { idParam, readQuery } from "../lib/validate.ts";
import { closeLoginSockets } from "../live/login-sockets.ts";
import { openTenantDb } from "../middleware/database.ts";
import { requestPlatform } from "../tenancy/platform-context.ts";
import { findTenant } from "../tenancy/tenant-record.ts";
import { type KillEffects, killHooks } from "./kill-hooks.ts";
import { killRemoteSession, listRemoteSessions, type OpenTenantDb } from "./remote-sessions.ts";
import {
  ActiveLoginPage,
  DashboardSummary,
  KillResult,
  LiveRemoteSessionPage,
  LoginQuery,
  RemoteKillResult,
  RemoteSessionQuery,
} from "./schemas.ts";
import { dashboardSummary, findLogin, listActiveLogins, presentKill } from "./service.ts";

const TAG = "Command Center";

export const commandCenterSessions = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())
  .get(
    "/",
    op({
      tag: TAG,
      summary: "Every valid login of every tenant",
      access: "super admin",
      query: LoginQuery,
      responses: { 200: ActiveLoginPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => c.json(await listActiveLogins(requestPlatform(c), readQuery(c, LoginQuery))),
  )
  .delete(
    "/:id",
    op({
      tag: TAG,
      summary: "Kill a login: revoke it, close its sockets, end the sessions it started",
      description: "Killing a login that already ended answers 200 with already_ended: true.",
      access: "super admin",
      responses: { 200: KillResult },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    async (c) => {
      const admin = currentSuperAdmin(c);
      const ctx = requestPlatform(c);
      const login = await findLogin(ctx, idParam(c));
      const revoked = await revokeLogin(c, login.id, "killed", admin.id);
      const closed = await closeLoginSockets(
        c.env,
        ctx.control,
        login.id,
        "Your login was ended by a platform administrator",
      );
      const effects: KillEffects = {};
      for (const hook of killHooks) Object.assign(effects, await hook(c, login));
      await recordPlatformAudit(ctx, {
        type: "user.login.killed",
        action: "kill",
        description: `Killed the login of ${login.email}${revoked ? "" : " (it had already ended)"}`,
        tenantId: login.tenantId,
        metadata: { loginId: login.id, socketsClosed: closed.sockets, ...effects },
      });
      const tenant = login.tenantId ? await findTenant(ctx.control, login.tenantId) : null;
      if (tenant) {
        await audit(
          c,
          {
            type: "user.login.killed",
            action: "kill",
            description: `A platform administrator ended the login of ${login.email}`,
            status: "warning",
            userId: login.userId,
            metadata: { loginId: login.id, by: admin.email },
          },
          { tenant, db: await openTenantDb(c, tenant) },
        );
      }
      return c.json(presentKill(login, revoked, closed, effects));
    },
  );

const opener =
  (c: Context<AppEnv>): OpenTenantDb =>
  (tenant) =>
    openTenantDb(c, tenant);

export const adminRemoteSessions = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())
  .get(
    "/",
    op({
      tag: TAG,
      summary: "Every live remote session (SSH, telnet, VNC, RDP, tunnel) of every tenant, newest first",
      description:
        "Read from each tenant's own database; a tenant whose database cannot be read is listed in unreadable_tenants and its sessions are missing (the answer is still 200).",
      access: "super admin",
      query: RemoteSessionQuery,
      responses: { 200: LiveRemoteSessionPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) =>
      c.json(await listRemoteSessions(requestPlatform(c), opener(c), readQuery(c, RemoteSessionQuery))),
  )
  .delete(
    "/:tenant_id/:id",
    op({
      tag: TAG,
      summary: "Kill one tenant's remote session at once, as its admin's end does; audited in both trails",
      description: "Killing a session that already ended answers 200 with already_ended: true.",
      access: "super admin",
      responses: { 200: RemoteKillResult },
      errors: ["FORBIDDEN", "NOT_FOUND"],
    }),
    async (c) => {
      const ctx = requestPlatform(c);
      const k = await killRemoteSession(ctx, opener(c), idParam(c, "tenant_id"), idParam(c));
      await recordPlatformAudit(ctx, {
        type: "session.killed",
        action: "kill",
        description: `Killed ${k.session_id} of ${k.tenant.subdomain}${k.already_ended ? " (it had already ended)" : ""}`,
        tenantId: k.tenant.id,
        metadata: { sessionId: k.id, publicId: k.session_id, alreadyEnded: k.already_ended },
      });
      return c.json({
        id: k.id,
        session_id: k.session_id,
        tenant_id: k.tenant.id,
        status: k.status,
        already_ended: k.already_ended,
      });
    },
  );

export const dashboardRoutes = new Hono<AppEnv>().use("*", requireSuperAdmin()).get(
  "/",
  op({
    tag: TAG,
    summary: "The dashboard summary: tenants, active users, system health, online agents, errors",
    access: "super admin",
    responses: { 200: DashboardSummary },
    errors: ["FORBIDDEN"],
  }),
  async (c) => c.json(await dashboardSummary(requestPlatform(c))),
);
