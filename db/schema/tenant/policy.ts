// POLICY and BLOCKED_COMMAND: an organization's command rules.
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.ts";
import { connectionTypeEnum, patternTypeEnum, severityEnum, uncheckableActionEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { user } from "./user.ts";

export const policy = pgTable(
  "policy",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    isActive: boolean("is_active").notNull().default(true),
    appliesToRoles: uuid("applies_to_roles").array().notNull().default(sql`'{}'::uuid[]`),
    appliesToConnections: uuid("applies_to_connections").array().notNull().default(sql`'{}'::uuid[]`),
    allowedCommands: text("allowed_commands").array(),
    requireApproval: boolean("require_approval").notNull().default(false),
    autoDisconnectOnViolation: boolean("auto_disconnect_on_violation").notNull().default(false),
    notifyOnViolation: boolean("notify_on_violation").notNull().default(true),
    // Extension of the seed: what to do with a line the engine cannot judge (inline code, piped scripts…).
    uncheckableAction: uncheckableActionEnum("uncheckable_action").notNull().default("require_approval"),
    // Bumped on every change of the policy or its rules: compiled rule sets are cached per version.
    version: integer("version").notNull().default(1),
    createdByUserId: uuid("created_by_user_id")
      .notNull()
      .references(() => user.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("idx_policy_organization").on(t.organizationId)],
);

export const blockedCommand = pgTable(
  "blocked_command",
  {
    id: id(),
    policyId: uuid("policy_id")
      .notNull()
      .references(() => policy.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    pattern: text("pattern").notNull(),
    patternType: patternTypeEnum("pattern_type").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    severity: severityEnum("severity").notNull().default("medium"),
    examples: text("examples").array().notNull().default(sql`'{}'::text[]`),
    appliesToTypes: connectionTypeEnum("applies_to_types")
      .array()
      .notNull()
      .default(sql`'{}'::connection_type[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("idx_blocked_command_policy").on(t.policyId)],
);
