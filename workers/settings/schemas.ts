// The contract of /api/settings: the organization (data model ORGANIZATION + OrganizationSettings) as its
// users read it, and what MANAGE_SETTINGS may change. Plan and limits belong to the platform: read-only here.
import { z } from "zod";
import { isValidRange } from "../auth/ip-ranges.ts";
import { AVATAR_URL, NAME } from "../auth/user-fields.ts";
import { Id, Timestamp } from "../contract/schemas.ts";
import type { Bindings } from "../env.ts";
import { RETENTION_DEFAULT_DAYS, RETENTION_RANGE_DAYS } from "./retention.ts";

export const SESSION_TIMEOUT_MIN_MS = 60_000;
export const SESSION_TIMEOUT_MAX_MS = 24 * 60 * 60 * 1000;

const DOMAIN = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a domain like acme.com");

const days = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max).nullable();

function settingsChange(env: Pick<Bindings, "ENVIRONMENT">) {
  const dev = env.ENVIRONMENT === "development";
  const webhook = z
    .url({ protocol: dev ? /^https?$/ : /^https$/, error: dev ? "an http(s) URL" : "an https URL" })
    .max(2048);
  return z
    .object({
      session_timeout: z.number().int().min(SESSION_TIMEOUT_MIN_MS).max(SESSION_TIMEOUT_MAX_MS),
      auto_record_sessions: z.boolean(),
      require_2fa: z.boolean(),
      allowed_ip_ranges: z
        .array(z.string().trim().max(64).refine(isValidRange, "an IPv4/IPv6 address or CIDR range"))
        .max(100)
        .transform((list) => [...new Set(list)]),
      sso_enabled: z.boolean(),
      sso_provider: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a provider name like "okta" or "azure_ad"')
        .nullable(),
      sso_break_glass_email: z.email().max(254).toLowerCase().nullable(),
      recording_retention_days: days(RETENTION_RANGE_DAYS.recordings),
      audit_retention_days: days(RETENTION_RANGE_DAYS.audit),
      command_retention_days: days(RETENTION_RANGE_DAYS.commands),
      approval_timeout_ms: z.number().int().min(10_000).max(3_600_000).nullable(),
      webhook_url: webhook.nullable(),
    })
    .partial()
    .strict()
    .describe("Only the settings to change; null clears an optional one");
}

/** The PATCH body; webhook URLs must be https outside development, so the schema depends on the env. */
export function settingsPatch(env: Pick<Bindings, "ENVIRONMENT">) {
  return z
    .object({
      name: NAME.optional(),
      domain: DOMAIN.nullable().optional(),
      logo_url: AVATAR_URL.nullable().optional(),
      settings: settingsChange(env).optional(),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, "name at least one field to change");
}
export type SettingsPatch = z.output<ReturnType<typeof settingsPatch>>;
/** The production form, for the document. */
export const SettingsPatchDoc = settingsPatch({ ENVIRONMENT: "production" });

export const LegalHold = z
  .object({ placed_at: Timestamp, placed_by: z.string(), reason: z.string() })
  .meta({ id: "LegalHold" });

/** PUT /api/settings/legal-hold: why the organization's data must be kept. */
export const LegalHoldPlace = z
  .object({ reason: z.string().trim().min(1).max(500).describe("The matter or case the hold serves") })
  .strict();
export type LegalHoldPlace = z.output<typeof LegalHoldPlace>;

export const Settings = z
  .object({
    session_timeout: z.number().int().describe("Idle timeout of a login, in milliseconds"),
    auto_record_sessions: z.boolean(),
    require_2fa: z.boolean(),
    allowed_ip_ranges: z.array(z.string()),
    sso_enabled: z.boolean(),
    sso_provider: z.string().nullable(),
    sso_break_glass_email: z
      .string()
      .nullable()
      .describe("While sso_enabled, the one account that may still sign in with its password"),
    recording_retention_days: z
      .number()
      .int()
      .nullable()
      .describe(`Days recordings are kept; null: ${RETENTION_DEFAULT_DAYS.recordings}`),
    audit_retention_days: z
      .number()
      .int()
      .nullable()
      .describe(`Days audit events are kept; null: ${RETENTION_DEFAULT_DAYS.audit}`),
    command_retention_days: z
      .number()
      .int()
      .nullable()
      .describe(`Days command rows are kept; null: ${RETENTION_DEFAULT_DAYS.commands}`),
    legal_hold: LegalHold.nullable().describe(
      "While set, retention deletes nothing of the organization (PUT/DELETE /api/settings/legal-hold)",
    ),
    approval_timeout_ms: z.number().int().nullable(),
    webhook_url: z.string().nullable().describe("Write-only: only its origin is shown (`https://host/…`)"),
  })
  .meta({ id: "OrganizationSettings" });
export type Settings = z.infer<typeof Settings>;

export const Organization = z
  .object({
    id: Id,
    name: z.string(),
    slug: z.string(),
    domain: z.string().nullable(),
    logo_url: z.string().nullable(),
    plan: z.enum(["free", "pro", "enterprise"]),
    max_users: z.number().int(),
    max_connections: z.number().int(),
    settings: Settings,
    usage: z.object({ users: z.number().int().min(0) }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Organization" });
export type Organization = z.infer<typeof Organization>;
