// command.agents / command.agent_enrollment_tokens: installed agents and their one-time enrolment tokens.
import { index, jsonb, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { commandSchema } from "./schemas.ts";
import { tenants } from "./tenants.ts";

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const agentStatusEnum = commandSchema.enum("agent_status", ["active", "revoked"]);

export const agents = commandSchema.table(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // Raw Ed25519 public key (base64); the private half never leaves the agent's host.
    publicKey: text("public_key").notNull(),
    status: agentStatusEnum("status").notNull().default("active"),
    hostname: text("hostname"),
    os: text("os"),
    version: text("version"),
    hostFacts: jsonb("host_facts").$type<Record<string, unknown>>(),
    lastSeenAt: tstz("last_seen_at"),
    lastConnectedAt: tstz("last_connected_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [index("idx_agents_tenant").on(t.tenantId)],
);

export const agentEnrollmentTokens = commandSchema.table(
  "agent_enrollment_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    // SHA-256 of the token; the token itself is shown once.
    tokenHash: text("token_hash").notNull(),
    name: text("name"),
    createdByUserId: uuid("created_by_user_id"),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    usedByAgentId: uuid("used_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("idx_agent_enrollment_tokens_hash").on(t.tokenHash),
    index("idx_agent_enrollment_tokens_tenant").on(t.tenantId),
  ],
);
