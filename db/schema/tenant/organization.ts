// ORGANIZATION: a tenant's remote-access identity. Its id is the control-plane tenant id.
import { integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.ts";
import { planEnum } from "./enums.ts";

export interface OrganizationSettings {
  session_timeout: number;
  auto_record_sessions: boolean;
  require_2fa: boolean;
  allowed_ip_ranges?: string[];
  sso_enabled: boolean;
  sso_provider?: string;
  /** While sso_enabled, the one account still allowed to sign in with its password (docs/sso.md). */
  sso_break_glass_email?: string;
  recording_retention_days?: number;
  /** Days audit_log rows are kept (default 365: workers/settings/retention.ts). */
  audit_retention_days?: number;
  /** Days command rows are kept (default 180). */
  command_retention_days?: number;
  /** While present, retention deletes nothing of this organization (workers/settings/legal-hold.ts). */
  legal_hold?: { placed_at: string; placed_by: string; reason: string };
  approval_timeout_ms?: number;
  webhook_url?: string;
}

export const DEFAULT_ORGANIZATION_SETTINGS: OrganizationSettings = {
  session_timeout: 30 * 60 * 1000,
  auto_record_sessions: false,
  require_2fa: false,
  allowed_ip_ranges: [],
  sso_enabled: false,
};

export const organization = pgTable(
  "organization",
  {
    id: id(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    domain: text("domain"),
    logoUrl: text("logo_url"),
    plan: planEnum("plan").notNull().default("free"),
    maxUsers: integer("max_users").notNull().default(5),
    maxConnections: integer("max_connections").notNull().default(10),
    settings: jsonb("settings")
      .$type<OrganizationSettings>()
      .notNull()
      .default(DEFAULT_ORGANIZATION_SETTINGS),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("idx_organization_slug").on(t.slug)],
);
