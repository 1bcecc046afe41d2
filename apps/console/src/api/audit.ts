// The organization's audit log (GET /api/audit, paged by an opaque cursor: `next_cursor` names the next
// page) and its export (GET /api/audit/export, CSV or NDJSON, the same filters).
import { download, request } from "./http.ts";
import { field, str, strOrNull, type Wire } from "./wire.ts";

/** The event types the API answers with (its OpenAPI document), sorted for the filter. */
export const AUDIT_EVENT_TYPES = [
  "agent.enrolled",
  "agent.revoked",
  "api_token.created",
  "api_token.revoked",
  "command.approval.denied",
  "command.approval.granted",
  "command.approval.requested",
  "command.blocked",
  "command.executed",
  "command.failed",
  "connection.created",
  "connection.deleted",
  "connection.tested",
  "connection.updated",
  "policy.created",
  "policy.deleted",
  "policy.updated",
  "policy.violation",
  "role.created",
  "role.deleted",
  "role.updated",
  "security.alert",
  "security.suspicious",
  "security.unauthorized",
  "session.ended",
  "session.joined",
  "session.recording.started",
  "session.recording.stopped",
  "session.shared",
  "session.started",
  "settings.updated",
  "ssh_key.created",
  "ssh_key.deleted",
  "tenant.data.read",
  "tenant.provisioned",
  "tenant.updated",
  "user.2fa.disabled",
  "user.2fa.enabled",
  "user.created",
  "user.deleted",
  "user.login",
  "user.login.failed",
  "user.login.killed",
  "user.logout",
  "user.password.changed",
  "user.role.changed",
  "user.updated",
] as const;
export const AUDIT_CATEGORIES = ["auth", "connection", "session", "user", "system", "security"] as const;
export const AUDIT_STATUSES = ["success", "failure", "warning"] as const;

export interface AuditEvent {
  id: string;
  timestamp: string;
  eventType: string;
  category: string;
  action: string;
  status: string;
  userEmail: string | null;
  ipAddress: string;
  description: string;
  errorMessage: string | null;
}

export interface AuditFilter {
  type?: string;
  category?: string;
  status?: string;
  /** ISO date-times, inclusive. */
  from?: string;
  to?: string;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

const toEvent = (r: Wire): AuditEvent => ({
  id: str(r, "id"),
  timestamp: str(r, "timestamp"),
  eventType: str(r, "eventType"),
  category: str(r, "eventCategory"),
  action: str(r, "action"),
  status: str(r, "status"),
  userEmail: strOrNull(r, "userEmail"),
  ipAddress: str(r, "ipAddress"),
  description: str(r, "description"),
  errorMessage: strOrNull(r, "errorMessage"),
});

const filterQuery = (f: AuditFilter) => ({
  type: f.type,
  category: f.category,
  status: f.status,
  from: f.from,
  to: f.to,
});

export async function listAudit(f: AuditFilter, cursor?: string, pageSize = 50): Promise<AuditPage> {
  const body = await request<{ data?: unknown; pagination?: Wire }>("GET", "/api/audit", {
    query: { ...filterQuery(f), cursor, page_size: pageSize },
  });
  const rows = Array.isArray(body.data) ? (body.data as Wire[]) : [];
  const next = field(body.pagination ?? {}, "nextCursor");
  return { items: rows.map(toEvent), nextCursor: typeof next === "string" ? next : null };
}

export async function exportAudit(f: AuditFilter, format: "csv" | "ndjson") {
  return download("/api/audit/export", { ...filterQuery(f), format });
}
