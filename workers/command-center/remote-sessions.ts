// The Command Center's live remote sessions (SSH, telnet, VNC, RDP, tunnels) across every tenant, and
// killing one. Each tenant's sessions live in its own database (pooled or dedicated), so the list is a
// sweep: every tenant is read through its own TenantContext and the sessions store (scoped to that tenant
// by construction), then the pages are merged newest first. A tenant whose database cannot be read is
// named in the answer instead of failing it. The databases are opened by the caller (a request's pools).
import type { Db } from "../../db/client.ts";
import { iso } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { sessionTypeOf } from "../sessions/kind.ts";
import { findSession, killSession, room } from "../sessions/service.ts";
import { sessionStore } from "../sessions/store.ts";
import { type TenantContext, tenantContext } from "../tenancy/context.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import { findTenant, type TenantRecord } from "../tenancy/tenant-record.ts";
import type { LiveRemoteSession, RemoteSessionQuery, UnreadableTenant } from "./schemas.ts";
import { commandCenterStore } from "./store.ts";

export type OpenTenantDb = (tenant: TenantRecord) => Promise<Db>;

type LiveRow = Awaited<ReturnType<ReturnType<typeof sessionStore>["live"]>>["rows"][number];

/** One tenant's answer to the sweep: its first rows and its total, or why it could not be read. */
export type TenantRead<R> =
  | { tenant: TenantRecord; ok: true; rows: R[]; total: number }
  | { tenant: TenantRecord; ok: false; message: string };

/**
 * Merges the tenants' newest-first pages into one page: each tenant read its first `offset + size` rows, so
 * the merged order holds every row that can fall on the page. Pure, so the unit test covers it.
 */
export function mergePages<R extends { startedAt: Date; id: string }>(
  reads: TenantRead<R>[],
  offset: number,
  size: number,
) {
  const rows: { tenant: TenantRecord; row: R }[] = [];
  let total = 0;
  for (const r of reads) {
    if (!r.ok) continue;
    total += r.total;
    for (const row of r.rows) rows.push({ tenant: r.tenant, row });
  }
  rows.sort(
    (a, b) => b.row.startedAt.getTime() - a.row.startedAt.getTime() || (a.row.id < b.row.id ? 1 : -1),
  );
  return { page: rows.slice(offset, offset + size), total };
}

function tenantCtx(ctx: PlatformContext, tenant: TenantRecord, db: Db): TenantContext {
  return {
    ...tenantContext({ env: ctx.env, tenant, db, control: ctx.control, actor: ctx.actor }),
    request: ctx.request,
  };
}

async function readTenant(
  ctx: PlatformContext,
  open: OpenTenantDb,
  tenant: TenantRecord,
  q: RemoteSessionQuery,
): Promise<TenantRead<LiveRow>> {
  try {
    const db = await open(tenant);
    const { rows, total } = await sessionStore(tenantCtx(ctx, tenant, db)).live({
      type: q.type,
      limit: (q.page - 1) * q.page_size + q.page_size,
    });
    return { tenant, ok: true, rows, total };
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", msg: "remote sessions sweep", tenant: tenant.id, error: String(err) }),
    );
    return { tenant, ok: false, message: "The tenant's database could not be read" };
  }
}

async function present(ctx: PlatformContext, tenant: TenantRecord, s: LiveRow): Promise<LiveRemoteSession> {
  const type = sessionTypeOf(s.publicId);
  const stats =
    type === "tunnel" || type === "rdp" || type === "vnc" ? await room(ctx.env, s.id).relayBytes() : null;
  return {
    id: s.id,
    session_id: s.publicId,
    type,
    status: s.status === "disconnected" ? "disconnected" : "active",
    tenant_id: tenant.id,
    tenant_subdomain: tenant.subdomain,
    tenant_name: tenant.companyName,
    connection_name: s.connectionName,
    host: s.host,
    port: s.port,
    owner_email: s.ownerEmail,
    started_at: iso(s.startedAt),
    participants: s.participants,
    bytes_up: stats?.bytesUp ?? null,
    bytes_down: stats?.bytesDown ?? null,
  };
}

const presentUnreadable = (t: TenantRecord, message: string): UnreadableTenant => ({
  tenant_id: t.id,
  tenant_subdomain: t.subdomain,
  tenant_name: t.companyName,
  message,
});

export async function listRemoteSessions(ctx: PlatformContext, open: OpenTenantDb, q: RemoteSessionQuery) {
  const ids = await commandCenterStore(ctx).tenantsWithSessions(q.tenant_id);
  const tenants = (await Promise.all(ids.map((t) => findTenant(ctx.control, t.id)))).filter(
    (t): t is TenantRecord => t !== null,
  );
  const reads = await Promise.all(tenants.map((t) => readTenant(ctx, open, t, q)));
  const { page, total } = mergePages(reads, (q.page - 1) * q.page_size, q.page_size);
  return {
    data: await Promise.all(page.map((p) => present(ctx, p.tenant, p.row))),
    pagination: { page: q.page, page_size: q.page_size, total },
    unreadable_tenants: reads.flatMap((r) => (r.ok ? [] : [presentUnreadable(r.tenant, r.message)])),
  };
}

/** Ends one tenant's session as a platform operator: 404 NOT_FOUND for an unknown tenant or session. */
export async function killRemoteSession(
  ctx: PlatformContext,
  open: OpenTenantDb,
  tenantId: string,
  sessionId: string,
) {
  const tenant = await findTenant(ctx.control, tenantId);
  if (!tenant) throw new ApiError("NOT_FOUND", "No such tenant");
  const tctx = tenantCtx(ctx, tenant, await open(tenant));
  const s = await findSession(tctx, sessionId);
  const by = ctx.actor.kind === "super_admin" || ctx.actor.kind === "user" ? ctx.actor.email : "the platform";
  return { tenant, ...(await killSession(tctx, s, by)) };
}
