// USER: a tenant's people. Email is the login, unique per organization among non-deleted users.
import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { organization } from "./organization.ts";
import { role } from "./role.ts";

export const user = pgTable(
  "user",
  {
    id: id(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    name: text("name").notNull(),
    avatarUrl: text("avatar_url"),
    bio: text("bio"),
    timezone: text("timezone").notNull().default("UTC"),
    roleId: uuid("role_id")
      .notNull()
      .references(() => role.id),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    isActive: boolean("is_active").notNull().default(true),
    twoFactorEnabled: boolean("two_factor_enabled").notNull().default(false),
    // Encrypted with the tenant's data key (never plaintext at rest).
    twoFactorSecret: text("two_factor_secret"),
    twoFactorPendingSecret: text("two_factor_pending_secret"),
    twoFactorRecoveryCodes: jsonb("two_factor_recovery_codes").$type<string[]>(),
    passwordChangedAt: ts("password_changed_at"),
    lastLogin: ts("last_login"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("idx_user_email").on(t.email),
    index("idx_user_organization").on(t.organizationId),
    index("idx_user_role").on(t.roleId),
    index("idx_user_active").on(t.isActive).where(sql`${t.isActive} = true`),
    uniqueIndex("idx_user_org_email_live").on(t.organizationId, t.email).where(sql`${t.deletedAt} is null`),
  ],
);
