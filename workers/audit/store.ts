// The audit trail's reads, scoped to one tenant by construction: newest first by (timestamp, id), after a
// keyset cursor, with the event's user's email. audit_log's one writer is recordAudit in audit.ts; the one
// delete is retention's (deleteBefore, run by workers/jobs/retention.ts).
import { desc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import { auditLog } from "../../db/schema/tenant/audit-log.ts";
import { user } from "../../db/schema/tenant/user.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";
import type { Cursor } from "./cursor.ts";
import type { AuditFilters } from "./schemas.ts";

// Microsecond precision, in UTC: the cursor must name a row exactly, and JavaScript dates stop at ms.
const tsText = sql<string>`to_char(${auditLog.timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function auditStore(ctx: TenantContext) {
  const own = scoped(ctx, auditLog);
  const sameTenantUser = scoped(ctx, user).where(eq(user.id, auditLog.userId));
  return {
    async page(f: AuditFilters, after: Cursor | null, limit: number) {
      return ctx.db
        .select({
          id: auditLog.id,
          timestamp: tsText,
          eventType: auditLog.eventType,
          eventCategory: auditLog.eventCategory,
          action: auditLog.action,
          status: auditLog.status,
          userId: auditLog.userId,
          userEmail: user.email,
          sessionId: auditLog.sessionId,
          connectionId: auditLog.connectionId,
          ipAddress: auditLog.ipAddress,
          userAgent: auditLog.userAgent,
          description: auditLog.description,
          errorMessage: auditLog.errorMessage,
          metadata: auditLog.metadata,
        })
        .from(auditLog)
        .leftJoin(user, sameTenantUser)
        .where(
          own.where(
            f.type ? inArray(auditLog.eventType, f.type) : undefined,
            f.category ? eq(auditLog.eventCategory, f.category) : undefined,
            f.user ? eq(auditLog.userId, f.user) : undefined,
            f.status ? eq(auditLog.status, f.status) : undefined,
            // Compared in PostgreSQL: a JavaScript Date would cut the cursor's microseconds off.
            f.from ? gte(auditLog.timestamp, sql`${f.from}::timestamptz`) : undefined,
            f.to ? lte(auditLog.timestamp, sql`${f.to}::timestamptz`) : undefined,
            after
              ? sql`(${auditLog.timestamp}, ${auditLog.id}) < (${after.ts}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(auditLog.timestamp), desc(auditLog.id))
        .limit(limit);
    },

    /** Deletes up to `limit` events older than `before` (retention); how many went. */
    async deleteBefore(before: Date, limit: number): Promise<number> {
      const batch = ctx.db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(own.where(lt(auditLog.timestamp, before)))
        .limit(limit);
      const gone = await ctx.db
        .delete(auditLog)
        .where(own.where(inArray(auditLog.id, batch)))
        .returning({ id: auditLog.id });
      return gone.length;
    },
  };
}
export type AuditRow = Awaited<ReturnType<ReturnType<typeof auditStore>["page"]>>[number];
