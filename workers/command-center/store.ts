// The Command Center's reads of the control plane: auth.v_active_sessions with each login's tenant, one
// login by id, the tenants a sweep of live remote sessions reads, and monitoring.v_dashboard_summary. The
// control plane spans tenants, so these statements are not tenant-scoped: only super admins reach them
// (the routes guard that).
import { and, asc, count, desc, eq, inArray, isNull } from "drizzle-orm";
import { userSessions, vActiveSessions } from "../../db/schema/control/auth.ts";
import { vDashboardSummary } from "../../db/schema/control/monitoring.ts";
import { tenants } from "../../db/schema/control/tenants.ts";
import { pageOffset } from "../contract/schemas.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import type { LoginQuery } from "./schemas.ts";

export function commandCenterStore(ctx: PlatformContext) {
  const db = ctx.control;
  return {
    async activeLogins(q: LoginQuery) {
      const where = q.tenant_id ? eq(vActiveSessions.tenantId, q.tenant_id) : undefined;
      const [rows, [total]] = await Promise.all([
        db
          .select({
            login: {
              id: vActiveSessions.id,
              principalType: vActiveSessions.principalType,
              userId: vActiveSessions.userId,
              email: vActiveSessions.email,
              userName: vActiveSessions.userName,
              roleName: vActiveSessions.roleName,
              tenantId: vActiveSessions.tenantId,
              ipAddress: vActiveSessions.ipAddress,
              userAgent: vActiveSessions.userAgent,
              createdAt: vActiveSessions.createdAt,
              lastActivityAt: vActiveSessions.lastActivityAt,
              expiresAt: vActiveSessions.expiresAt,
            },
            tenantSubdomain: tenants.subdomain,
            tenantName: tenants.companyName,
          })
          .from(vActiveSessions)
          .leftJoin(tenants, eq(tenants.id, vActiveSessions.tenantId))
          .where(where)
          .orderBy(desc(vActiveSessions.lastActivityAt), desc(vActiveSessions.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(vActiveSessions).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async login(id: string) {
      const [row] = await db
        .select({
          id: userSessions.id,
          email: userSessions.email,
          userId: userSessions.userId,
          tenantId: userSessions.tenantId,
        })
        .from(userSessions)
        .where(eq(userSessions.id, id));
      return row ?? null;
    },

    /** The tenants whose databases may hold live sessions (not deleted, provisioned), or the one named. */
    tenantsWithSessions(tenantId: string | undefined) {
      return db
        .select({ id: tenants.id })
        .from(tenants)
        .where(
          and(
            isNull(tenants.deletedAt),
            inArray(tenants.status, ["active", "suspended"]),
            tenantId ? eq(tenants.id, tenantId) : undefined,
          ),
        )
        .orderBy(asc(tenants.createdAt), asc(tenants.id));
    },

    async summary() {
      const [s] = await db.select().from(vDashboardSummary);
      return s ?? null;
    },
  };
}
export type LoginRow = Awaited<
  ReturnType<ReturnType<typeof commandCenterStore>["activeLogins"]>
>["rows"][number];
