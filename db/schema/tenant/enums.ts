// Every closed set of values of the data model (trident-sra-data-model.md), as PostgreSQL enums.
import { pgEnum } from "drizzle-orm/pg-core";

export const planEnum = pgEnum("plan", ["free", "pro", "enterprise"]);
export const connectionTypeEnum = pgEnum("connection_type", ["ssh", "rdp", "vnc", "telnet"]);
export const authMethodEnum = pgEnum("auth_method", ["password", "ssh_key", "certificate"]);
export const environmentEnum = pgEnum("environment", ["production", "staging", "development", "test"]);
export const connectionStatusEnum = pgEnum("connection_status", ["active", "inactive", "archived"]);
export const sessionStatusEnum = pgEnum("session_status", ["active", "ended", "disconnected", "error"]);
export const viewerRoleEnum = pgEnum("viewer_role", ["owner", "collaborator", "viewer"]);
export const commandTypeEnum = pgEnum("command_type", ["shell", "system", "file", "network", "admin"]);
export const commandStatusEnum = pgEnum("command_status", ["executed", "blocked", "error", "timeout"]);
export const riskLevelEnum = pgEnum("risk_level", ["low", "medium", "high", "critical"]);
export const severityEnum = pgEnum("severity", ["low", "medium", "high", "critical"]);
// The seed's three pattern types, then `command` (a program/options/operands spec: docs/policy-engine.md).
export const patternTypeEnum = pgEnum("pattern_type", ["exact", "regex", "contains", "command"]);
// Not in the seed: what a policy does with a line it cannot judge statically (docs/policy-engine.md).
export const uncheckableActionEnum = pgEnum("uncheckable_action", ["allow", "require_approval", "block"]);
export const recordingStatusEnum = pgEnum("recording_status", ["processing", "ready", "error"]);
export const auditCategoryEnum = pgEnum("audit_event_category", [
  "auth",
  "connection",
  "session",
  "user",
  "system",
  "security",
]);
export const auditStatusEnum = pgEnum("audit_status", ["success", "failure", "warning"]);

// The seed's AuditEventType, then the events the design adds (tenancy, agents, tokens, roles, settings).
export const AUDIT_EVENT_TYPES = [
  "user.login",
  "user.logout",
  "user.login.failed",
  "user.2fa.enabled",
  "user.password.changed",
  "user.created",
  "user.updated",
  "user.deleted",
  "user.role.changed",
  "connection.created",
  "connection.updated",
  "connection.deleted",
  "connection.tested",
  "session.started",
  "session.ended",
  "session.joined",
  "session.shared",
  "session.recording.started",
  "session.recording.stopped",
  "command.executed",
  "command.blocked",
  "command.failed",
  "policy.created",
  "policy.updated",
  "policy.deleted",
  "policy.violation",
  "security.alert",
  "security.unauthorized",
  "security.suspicious",
  // added by Nostromo
  "user.2fa.disabled",
  "user.login.killed",
  "role.created",
  "role.updated",
  "role.deleted",
  "settings.updated",
  "api_token.created",
  "api_token.revoked",
  "ssh_key.created",
  "ssh_key.deleted",
  "tenant.provisioned",
  "tenant.updated",
  "tenant.data.read",
  "agent.enrolled",
  "agent.revoked",
  "command.approval.requested",
  "command.approval.granted",
  "command.approval.denied",
  "retention.run",
  "legal_hold.placed",
  "legal_hold.released",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export const auditEventTypeEnum = pgEnum("audit_event_type", AUDIT_EVENT_TYPES);
