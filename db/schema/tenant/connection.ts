// CONNECTION: a configured remote server. Secrets are encrypted with the tenant's data key.
import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { authMethodEnum, connectionStatusEnum, connectionTypeEnum, environmentEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { sshKey } from "./ssh-key.ts";
import { user } from "./user.ts";

export const DEFAULT_PORTS = { ssh: 22, rdp: 3389, vnc: 5900, telnet: 23 } as const;

export const connection = pgTable(
  "connection",
  {
    id: id(),
    name: text("name").notNull(),
    type: connectionTypeEnum("type").notNull().default("ssh"),
    hostname: text("hostname").notNull(),
    port: integer("port").notNull(),
    username: text("username").notNull(),
    authMethod: authMethodEnum("auth_method").notNull(),
    passwordEncrypted: text("password_encrypted"),
    sshKeyId: uuid("ssh_key_id").references(() => sshKey.id),
    certificate: text("certificate"),
    description: text("description"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    environment: environmentEnum("environment").notNull().default("development"),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    createdByUserId: uuid("created_by_user_id")
      .notNull()
      .references(() => user.id),
    // The agent that reaches this server (command.agents in the control plane; no cross-database FK).
    agentId: uuid("agent_id"),
    // Pinned on first use by the agent; a different key later is refused.
    hostKey: text("host_key"),
    status: connectionStatusEnum("status").notNull().default("active"),
    lastUsed: ts("last_used"),
    totalSessions: integer("total_sessions").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("idx_connection_organization").on(t.organizationId),
    index("idx_connection_type").on(t.type),
    index("idx_connection_status").on(t.status),
    index("idx_connection_created_by").on(t.createdByUserId),
  ],
);
