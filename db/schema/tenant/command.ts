// COMMAND: every command typed or executed in a session, with its decision, output and exit code.
// Partitioned by week on `executed_at` (migration 0002, docs/data-lifecycle.md): PostgreSQL requires the
// partition key in every unique constraint, so the primary key is (id, executed_at); ids stay random uuids.
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./columns.ts";
import { commandStatusEnum, commandTypeEnum, riskLevelEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { policy } from "./policy.ts";
import { session } from "./session.ts";
import { user } from "./user.ts";

export const command = pgTable(
  "command",
  {
    id: uuid("id").notNull().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => session.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    command: text("command").notNull(),
    commandType: commandTypeEnum("command_type").notNull().default("shell"),
    status: commandStatusEnum("status").notNull(),
    output: text("output"),
    outputTruncated: boolean("output_truncated").notNull().default(false),
    exitCode: integer("exit_code"),
    errorMessage: text("error_message"),
    riskLevel: riskLevelEnum("risk_level").notNull().default("low"),
    wasBlocked: boolean("was_blocked").notNull().default(false),
    blockedReason: text("blocked_reason"),
    policyId: uuid("policy_id").references(() => policy.id, { onDelete: "set null" }),
    // "interactive" (typed in a live session) or "exec" (POST /api/connections/:id/exec).
    source: text("source").notNull().default("interactive"),
    approvedByUserId: uuid("approved_by_user_id").references(() => user.id),
    executedAt: ts("executed_at").notNull().defaultNow(),
    durationMs: integer("duration_ms").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.executedAt] }),
    index("idx_command_session").on(t.sessionId),
    index("idx_command_user").on(t.userId),
    index("idx_command_blocked").on(t.wasBlocked).where(sql`${t.wasBlocked} = true`),
    index("idx_command_executed_at").on(t.executedAt.desc()),
    index("idx_command_organization").on(t.organizationId),
  ],
);
