// The one audit function every feature writes through: tenant events into the tenant database's
// audit_log (scoped), platform events (super admins, platform logins) into command.platform_audit_log.
// Auditing never breaks the action it records: a failed write is logged loudly instead.
// `audit()` is the request's entry; `writeAudit()` is the same write for code without a request (the
// SessionRoom Durable Object, scheduled jobs).
import type { Context } from "hono";
import type { Db } from "../../db/client.ts";
import { platformAuditLog } from "../../db/schema/control/tenants.ts";
import { auditLog } from "../../db/schema/tenant/audit-log.ts";
import type { AuditEventType } from "../../db/schema/tenant/enums.ts";
import type { AppEnv } from "../env.ts";
import { actorOf, requestInfo, type TenantContext } from "../tenancy/context.ts";
import { type PlatformContext, requestPlatform } from "../tenancy/platform-context.ts";
import type { TenantScope } from "../tenancy/tenant-record.ts";

export type AuditCategory = "auth" | "connection" | "session" | "user" | "system" | "security";

export interface AuditEvent {
  type: AuditEventType;
  action: string;
  description: string;
  status?: "success" | "failure" | "warning";
  metadata?: Record<string, unknown>;
  userId?: string | null;
  sessionId?: string | null;
  connectionId?: string | null;
  errorMessage?: string | null;
  category?: AuditCategory;
}

export function categoryOf(type: AuditEventType): AuditCategory {
  if (
    type.startsWith("user.login") ||
    type === "user.logout" ||
    type.startsWith("user.2fa") ||
    type === "user.password.changed"
  )
    return "auth";
  if (type.startsWith("api_token.")) return "auth";
  if (type.startsWith("user.") || type.startsWith("role.")) return "user";
  if (type.startsWith("connection.") || type.startsWith("ssh_key.")) return "connection";
  if (type.startsWith("session.") || type.startsWith("command.")) return "session";
  if (type.startsWith("security.") || type.startsWith("policy.")) return "security";
  return "system";
}

export interface AuditOrigin {
  requestId?: string;
  ipAddress?: string;
  userAgent?: string;
}

/** Writes a tenant audit event in `ctx`'s tenant: for routes, objects and jobs alike. */
export async function recordAudit(ctx: TenantContext, e: AuditEvent): Promise<void> {
  const userId = e.userId !== undefined ? e.userId : ctx.actor.kind === "user" ? ctx.actor.id : null;
  await writeAudit(
    ctx.db,
    ctx.tenant.id,
    { ...e, userId },
    ctx.request
      ? { requestId: ctx.request.requestId, ipAddress: ctx.request.ip, userAgent: ctx.request.userAgent }
      : {},
  );
}

/** The one writer of audit_log: an event into `db` for `tenantId` (`origin` empty outside a request). */
export async function writeAudit(
  db: Db,
  tenantId: string,
  e: AuditEvent,
  origin: AuditOrigin = {},
): Promise<void> {
  try {
    await db.insert(auditLog).values({
      organizationId: tenantId,
      userId: e.userId ?? null,
      sessionId: e.sessionId ?? null,
      connectionId: e.connectionId ?? null,
      eventType: e.type,
      eventCategory: e.category ?? categoryOf(e.type),
      action: e.action,
      description: e.description,
      metadata: {
        ...(e.metadata ?? {}),
        ...(origin.requestId !== undefined ? { requestId: origin.requestId } : {}),
      },
      status: e.status ?? "success",
      errorMessage: e.errorMessage ?? null,
      ipAddress: origin.ipAddress ?? "",
      userAgent: origin.userAgent ?? "",
    });
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", msg: "audit write failed", type: e.type, error: String(err) }),
    );
  }
}

/** Writes a tenant audit event for the request's tenant (or for `target`, e.g. from the Command Center). */
export async function audit(c: Context<AppEnv>, e: AuditEvent, target?: TenantScope): Promise<void> {
  const scope = target ?? c.var.scope;
  if (!scope) throw new Error("audit() needs a tenant scope");
  await recordAudit(
    {
      env: c.env,
      tenant: scope.tenant,
      db: scope.db,
      control: c.var.db,
      actor: actorOf(c.var.principal),
      request: requestInfo(c),
    },
    e,
  );
}

export interface PlatformAuditEvent {
  type: string;
  action: string;
  description: string;
  status?: "success" | "failure" | "warning";
  tenantId?: string | null;
  metadata?: Record<string, unknown>;
  actorId?: string | null;
  actorEmail?: string | null;
}

/** Writes a platform event (command.platform_audit_log): the one writer of that table. */
export async function recordPlatformAudit(ctx: PlatformContext, e: PlatformAuditEvent): Promise<void> {
  const actor = ctx.actor.kind === "user" || ctx.actor.kind === "super_admin" ? ctx.actor : null;
  try {
    await ctx.control.insert(platformAuditLog).values({
      actorId: e.actorId !== undefined ? e.actorId : (actor?.id ?? null),
      actorEmail: e.actorEmail !== undefined ? e.actorEmail : (actor?.email ?? null),
      tenantId: e.tenantId ?? null,
      eventType: e.type,
      action: e.action,
      description: e.description,
      metadata: ctx.request
        ? { ...(e.metadata ?? {}), requestId: ctx.request.requestId }
        : (e.metadata ?? {}),
      status: e.status ?? "success",
      ipAddress: ctx.request?.ip ?? "",
      userAgent: ctx.request?.userAgent ?? "",
    });
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "platform audit write failed",
        type: e.type,
        error: String(err),
      }),
    );
  }
}

export async function platformAudit(c: Context<AppEnv>, e: PlatformAuditEvent): Promise<void> {
  await recordPlatformAudit(requestPlatform(c), e);
}
