// command.tenants / command.tenant_features / command.super_admins: the platform's own records.
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { commandSchema } from "./schemas.ts";

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const tenantTierEnum = commandSchema.enum("tenant_tier", ["free", "silver", "gold", "platinum"]);
export const tenantStatusEnum = commandSchema.enum("tenant_status", [
  "provisioning",
  "active",
  "suspended",
  "failed",
]);
export const driverTypeEnum = commandSchema.enum("driver_type", ["postgresql", "mongodb"]);
export const dbModeEnum = commandSchema.enum("db_mode", ["pooled", "dedicated"]);

export const tenants = commandSchema.table(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyName: text("company_name").notNull(),
    subdomain: text("subdomain").notNull(),
    tier: tenantTierEnum("tier").notNull().default("free"),
    status: tenantStatusEnum("status").notNull().default("provisioning"),
    statusReason: text("status_reason"),
    contactName: text("contact_name"),
    contactEmail: text("contact_email"),
    contactPhone: text("contact_phone"),
    rut: text("rut"),
    driverType: driverTypeEnum("driver_type").notNull().default("postgresql"),
    dbMode: dbModeEnum("db_mode").notNull().default("pooled"),
    // AES-256-GCM ciphertext (with key id) of the database credentials, under the tenant's data key.
    dbConfigEncrypted: text("db_config_encrypted"),
    // The tenant's data key, wrapped by the master key (envelope encryption).
    dataKeyWrapped: text("data_key_wrapped").notNull(),
    masterKeyId: text("master_key_id").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    // Bumped on every change: tenant resolution caches are keyed by it.
    version: integer("version").notNull().default(1),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
    deletedAt: tstz("deleted_at"),
  },
  (t) => [
    uniqueIndex("idx_tenants_subdomain").on(t.subdomain),
    index("idx_tenants_status").on(t.status),
    index("idx_tenants_tier").on(t.tier),
  ],
);

export const tenantFeatures = commandSchema.table(
  "tenant_features",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    feature: text("feature").notNull(),
    enabledAt: tstz("enabled_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.feature] })],
);

export const superAdmins = commandSchema.table(
  "super_admins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    isActive: boolean("is_active").notNull().default(true),
    lastLogin: tstz("last_login"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [uniqueIndex("idx_super_admins_email").on(t.email)],
);

// Platform-level audit trail (super admins' actions and platform logins); tenants' own events go to the
// tenant database's audit_log.
export const platformAuditLog = commandSchema.table(
  "platform_audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    tenantId: uuid("tenant_id"),
    eventType: text("event_type").notNull(),
    action: text("action").notNull(),
    description: text("description").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    ipAddress: text("ip_address").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    status: text("status").notNull().default("success"),
    timestamp: tstz("timestamp").notNull().defaultNow(),
  },
  (t) => [index("idx_platform_audit_timestamp").on(t.timestamp.desc())],
);
