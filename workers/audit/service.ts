// The audit trail as the API shows it: the presenter, and one keyset page of the tenant's events.
import type { TenantContext } from "../tenancy/context.ts";
import { type Cursor, decodeCursor, encodeCursor } from "./cursor.ts";
import type { AuditEntry, AuditFilters, AuditQuery } from "./schemas.ts";
import { type AuditRow, auditStore } from "./store.ts";

export function presentAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    timestamp: r.timestamp,
    event_type: r.eventType,
    event_category: r.eventCategory,
    action: r.action,
    status: r.status,
    user_id: r.userId,
    user_email: r.userEmail,
    session_id: r.sessionId,
    connection_id: r.connectionId,
    ip_address: r.ipAddress,
    user_agent: r.userAgent,
    description: r.description,
    error_message: r.errorMessage,
    metadata: r.metadata,
  };
}

/** Up to `limit` entries after `after`, newest first. */
export async function auditBatch(
  ctx: TenantContext,
  f: AuditFilters,
  after: Cursor | null,
  limit: number,
): Promise<AuditEntry[]> {
  return (await auditStore(ctx).page(f, after, limit)).map(presentAuditEntry);
}

export async function auditPage(ctx: TenantContext, q: AuditQuery) {
  const { page_size, cursor, ...filters } = q;
  // One row past the page says whether there is a next one.
  const rows = await auditBatch(ctx, filters, cursor ? decodeCursor(cursor) : null, page_size + 1);
  const data = rows.slice(0, page_size);
  const last = data[data.length - 1];
  const more = rows.length > page_size && last;
  return {
    data,
    pagination: { page_size, next_cursor: more ? encodeCursor({ ts: last.timestamp, id: last.id }) : null },
  };
}
