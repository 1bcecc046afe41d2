// AUDIT_LOG: every privileged or security-relevant action of an organization.
import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./columns.ts";
import { auditCategoryEnum, auditEventTypeEnum, auditStatusEnum } from "./enums.ts";
import { organization } from "./organization.ts";

// user/session/connection ids are kept without foreign keys: an audit trail must outlive what it names.
// Partitioned by month on `timestamp` (migration 0002, docs/data-lifecycle.md): PostgreSQL requires the
// partition key in every unique constraint, so the primary key is (id, timestamp); ids stay random uuids.
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").notNull().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    userId: uuid("user_id"),
    sessionId: uuid("session_id"),
    connectionId: uuid("connection_id"),
    eventType: auditEventTypeEnum("event_type").notNull(),
    eventCategory: auditCategoryEnum("event_category").notNull(),
    action: text("action").notNull(),
    description: text("description").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    ipAddress: text("ip_address").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    status: auditStatusEnum("status").notNull().default("success"),
    errorMessage: text("error_message"),
    timestamp: ts("timestamp").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.timestamp] }),
    index("idx_audit_organization").on(t.organizationId),
    index("idx_audit_user").on(t.userId),
    index("idx_audit_event_type").on(t.eventType),
    index("idx_audit_timestamp").on(t.timestamp.desc()),
    index("idx_audit_category").on(t.eventCategory),
  ],
);
