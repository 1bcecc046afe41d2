// ROLE: predefined roles (organization_id null, shared) and an organization's custom roles.
import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.ts";
import { organization } from "./organization.ts";

export const role = pgTable(
  "role",
  {
    id: id(),
    organizationId: uuid("organization_id").references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    permissions: text("permissions").array().notNull().default(sql`'{}'::text[]`),
    color: text("color").notNull().default("#5bc2e7"),
    isSystem: boolean("is_system").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("idx_role_organization").on(t.organizationId),
    uniqueIndex("idx_role_org_name").on(t.organizationId, t.name).where(sql`${t.organizationId} is not null`),
    uniqueIndex("idx_role_system_name").on(t.name).where(sql`${t.organizationId} is null`),
  ],
);
