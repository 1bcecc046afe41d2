// The Command Center's operations for super admins: the logins of every tenant, the dashboard summary, and
// the presenters that decide what the kill switch's answer says. Control-plane work, so it takes a
// PlatformContext (no tenant) and never a Hono Context.

import { iso, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import type { KillEffects } from "./kill-hooks.ts";
import type { ActiveLogin, DashboardSummary, KillResult, LoginQuery } from "./schemas.ts";
import { commandCenterStore, type LoginRow } from "./store.ts";

export function presentLogin({ login: l, tenantSubdomain, tenantName }: LoginRow): ActiveLogin {
  return {
    id: l.id,
    principal_type: l.principalType,
    user_id: l.userId,
    email: l.email,
    user_name: l.userName,
    role: l.roleName,
    tenant_id: l.tenantId,
    tenant_subdomain: tenantSubdomain,
    tenant_name: tenantName,
    ip_address: l.ipAddress,
    user_agent: l.userAgent,
    started_at: iso(l.createdAt),
    last_seen_at: iso(l.lastActivityAt),
    expires_at: iso(l.expiresAt),
  };
}

export async function listActiveLogins(ctx: PlatformContext, q: LoginQuery) {
  const { rows, total } = await commandCenterStore(ctx).activeLogins(q);
  return pageOf(q, rows.map(presentLogin), total);
}

export async function findLogin(ctx: PlatformContext, id: string) {
  const login = await commandCenterStore(ctx).login(id);
  if (!login) throw new ApiError("NOT_FOUND", "No such login session");
  return login;
}

export function presentKill(
  login: { id: string; email: string; tenantId: string | null },
  revoked: boolean,
  closed: { sockets: number; objects: { kind: string; name: string; closed: number }[] },
  effects: KillEffects,
): KillResult {
  return {
    killed: { id: login.id, email: login.email, tenant_id: login.tenantId, already_ended: !revoked },
    closed: {
      sockets: closed.sockets,
      objects: closed.objects.map((o) => ({ kind: o.kind, name: o.name, closed: o.closed })),
      ...(effects.sessionsEnded ? { sessions_ended: effects.sessionsEnded } : {}),
    },
  };
}

export async function dashboardSummary(ctx: PlatformContext): Promise<DashboardSummary> {
  const s = await commandCenterStore(ctx).summary();
  if (!s) throw new ApiError("INTERNAL_ERROR", "Dashboard view returned nothing");
  return {
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
  };
}
