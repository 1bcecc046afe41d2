// The organization's audit log (GET /api/audit, paged by an opaque cursor: `next_cursor` names the next
// page) and its export (GET /api/audit/export, CSV or NDJSON, the same filters).
import { api, fileOf, ok, type Schemas } from "./http.ts";

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

export type AuditEvent = Schemas["AuditEntry"];
export type AuditPage = Schemas["AuditPage"];

export interface AuditFilter {
  type?: (typeof AUDIT_EVENT_TYPES)[number];
  category?: (typeof AUDIT_CATEGORIES)[number];
  status?: (typeof AUDIT_STATUSES)[number];
  /** ISO date-times, inclusive. */
  from?: string;
  to?: string;
}

const filterQuery = (f: AuditFilter) => ({
  type: f.type,
  category: f.category,
  status: f.status,
  from: f.from,
  to: f.to,
});

export function listAudit(f: AuditFilter, cursor?: string, pageSize = 50): Promise<AuditPage> {
  return ok(api.GET("/api/audit", { params: { query: { ...filterQuery(f), cursor, page_size: pageSize } } }));
}

export function exportAudit(f: AuditFilter, format: "csv" | "ndjson") {
  return fileOf(
    api.GET("/api/audit/export", { params: { query: { ...filterQuery(f), format } }, parseAs: "blob" }),
  );
}
