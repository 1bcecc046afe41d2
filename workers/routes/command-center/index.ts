// The Command Center (super admins): every valid login of every tenant (GET /api/sessions), the kill
// switch (DELETE /api/sessions/:id), and the dashboard summary (GET /api/admin/dashboard).
import { desc, eq, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { userSessions, vActiveSessions } from "../../../db/schema/control/auth.ts";
import { vDashboardSummary } from "../../../db/schema/control/monitoring.ts";
import { tenants } from "../../../db/schema/control/tenants.ts";
import { audit, platformAudit } from "../../audit/audit.ts";
import { currentSuperAdmin, requireSuperAdmin } from "../../auth/guard.ts";
import { revokeLogin } from "../../auth/logins.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { idParam, readQuery } from "../../lib/validate.ts";
import { closeLoginSockets } from "../../live/login-sockets.ts";
import { openTenantDb } from "../../middleware/database.ts";
import { findTenant } from "../../tenancy/tenant-record.ts";

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  tenantId: z.uuid().optional(),
});

/** Hooks run when a login is killed (the live-session issue ends the remote sessions the login owns). */
export const killHooks: ((
  c: Context<AppEnv>,
  login: { id: string; tenantId: string | null; userId: string },
) => Promise<Record<string, unknown>>)[] = [];

export const commandCenterSessions = new Hono<AppEnv>()
  .use("*", requireSuperAdmin())
  .get("/", async (c) => {
    const q = readQuery(c, listQuery);
    const where = q.tenantId ? eq(vActiveSessions.tenantId, q.tenantId) : undefined;
    const rows = await c.var.db
      .select({
        id: vActiveSessions.id,
        principalType: vActiveSessions.principalType,
        userId: vActiveSessions.userId,
        email: vActiveSessions.email,
        userName: vActiveSessions.userName,
        role: vActiveSessions.roleName,
        tenantId: vActiveSessions.tenantId,
        tenantSubdomain: tenants.subdomain,
        tenantName: tenants.companyName,
        ipAddress: vActiveSessions.ipAddress,
        userAgent: vActiveSessions.userAgent,
        startedAt: vActiveSessions.createdAt,
        lastSeenAt: vActiveSessions.lastActivityAt,
        expiresAt: vActiveSessions.expiresAt,
      })
      .from(vActiveSessions)
      .leftJoin(tenants, eq(tenants.id, vActiveSessions.tenantId))
      .where(where)
      .orderBy(desc(vActiveSessions.lastActivityAt))
      .limit(q.pageSize)
      .offset(pageOffset(q));
    const [total] = await c.var.db
      .select({ n: sql<number>`count(*)::int` })
      .from(vActiveSessions)
      .where(where);
    return c.json(pageOf(q, rows, total?.n));
  })
  .delete("/:id", async (c) => {
    const admin = currentSuperAdmin(c);
    const id = idParam(c);
    const [login] = await c.var.db.select().from(userSessions).where(eq(userSessions.id, id));
    if (!login) throw new ApiError("NOT_FOUND", "No such login session");
    const revoked = await revokeLogin(c, id, "killed", admin.id);
    const closed = await closeLoginSockets(
      c.env,
      c.var.db,
      id,
      "Your login was ended by a platform administrator",
    );
    const extra: Record<string, unknown> = {};
    for (const hook of killHooks)
      Object.assign(extra, await hook(c, { id, tenantId: login.tenantId, userId: login.userId }));
    await platformAudit(c, {
      type: "user.login.killed",
      action: "kill",
      description: `Killed the login of ${login.email}${revoked ? "" : " (it had already ended)"}`,
      tenantId: login.tenantId,
      metadata: { loginId: id, socketsClosed: closed.sockets, ...extra },
    });
    if (login.tenantId) {
      const tenant = await findTenant(c.var.db, login.tenantId);
      if (tenant) {
        await audit(
          c,
          {
            type: "user.login.killed",
            action: "kill",
            description: `A platform administrator ended the login of ${login.email}`,
            status: "warning",
            userId: login.userId,
            metadata: { loginId: id, by: admin.email },
          },
          { tenant, db: await openTenantDb(c, tenant) },
        );
      }
    }
    return c.json({
      killed: { id, email: login.email, tenantId: login.tenantId, alreadyEnded: !revoked },
      closed: { sockets: closed.sockets, objects: closed.objects, ...extra },
    });
  });

export const dashboard = new Hono<AppEnv>().use("*", requireSuperAdmin()).get("/", async (c) => {
  const [s] = await c.var.db.select().from(vDashboardSummary);
  if (!s) throw new ApiError("INTERNAL_ERROR", "Dashboard view returned nothing");
  return c.json({
    total_tenants: s.totalTenants,
    active_users: s.activeUsers,
    system_health: {
      cpu_load_pct: s.cpuLoadPct,
      memory_usage_pct: s.memoryUsagePct,
      disk_usage_pct: s.diskUsagePct,
      active_connections: s.activeConnections,
    },
    online_agents: s.onlineAgents,
    errors_24h: s.errors24h,
  });
});
