// SESSION: one live or past remote session; session_id is the public id per organization (ssh-1, rdp-2).
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { connection } from "./connection.ts";
import { sessionStatusEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { user } from "./user.ts";

export const session = pgTable(
  "session",
  {
    id: id(),
    sessionId: text("session_id").notNull(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connection.id),
    initiatedByUserId: uuid("initiated_by_user_id")
      .notNull()
      .references(() => user.id),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    status: sessionStatusEnum("status").notNull().default("active"),
    statusReason: text("status_reason"),
    startedAt: ts("started_at").notNull().defaultNow(),
    endedAt: ts("ended_at"),
    durationSeconds: integer("duration_seconds"),
    isRecording: boolean("is_recording").notNull().default(false),
    recordingUrl: text("recording_url"),
    recordingSizeBytes: bigint("recording_size_bytes", { mode: "number" }),
    totalCommands: integer("total_commands").notNull().default(0),
    safeCommands: integer("safe_commands").notNull().default(0),
    blockedCommands: integer("blocked_commands").notNull().default(0),
    clientIp: text("client_ip").notNull(),
    userAgent: text("user_agent").notNull(),
    agentId: uuid("agent_id"),
    // The login (auth.user_sessions.id) that started it: the kill switch ends its sessions.
    loginSessionId: uuid("login_session_id"),
    cols: integer("cols").notNull().default(80),
    rows: integer("rows").notNull().default(24),
    lastActivityAt: ts("last_activity_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("idx_session_connection").on(t.connectionId),
    index("idx_session_user").on(t.initiatedByUserId),
    index("idx_session_status").on(t.status),
    index("idx_session_started_at").on(t.startedAt.desc()),
    index("idx_session_active").on(t.status).where(sql`${t.status} = 'active'`),
    uniqueIndex("idx_session_public_id").on(t.organizationId, t.sessionId),
  ],
);
