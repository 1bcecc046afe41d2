// Organization settings: read (any user of the tenant) and change (settings:manage). A change is merged into
// the stored settings (null clears an optional one), refused when SSO lacks a provider or when the allowed
// IP ranges would lock out the caller's own address, and audited with before/after of what changed —
// the webhook URL only by its origin (its path is the hook's secret).
import type { OrganizationSettings } from "../../db/schema/tenant/organization.ts";
import { recordAudit } from "../audit/audit.ts";
import { ipAllowed } from "../auth/ip-ranges.ts";
import { iso } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { redactUrl } from "../lib/redact.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { invalidateOrganization, loadOrganization } from "../tenancy/organization.ts";
import type { Organization, Settings, SettingsPatch } from "./schemas.ts";
import { settingsStore } from "./store.ts";

export function presentSettings(s: OrganizationSettings): Settings {
  return {
    session_timeout: s.session_timeout,
    auto_record_sessions: s.auto_record_sessions,
    require_2fa: s.require_2fa,
    allowed_ip_ranges: s.allowed_ip_ranges ?? [],
    sso_enabled: s.sso_enabled,
    sso_provider: s.sso_provider ?? null,
    sso_break_glass_email: s.sso_break_glass_email ?? null,
    recording_retention_days: s.recording_retention_days ?? null,
    audit_retention_days: s.audit_retention_days ?? null,
    command_retention_days: s.command_retention_days ?? null,
    legal_hold: s.legal_hold ?? null,
    approval_timeout_ms: s.approval_timeout_ms ?? null,
    // Write-only for everybody, settings:manage included.
    webhook_url: redactUrl(s.webhook_url),
  };
}

export async function readOrganization(ctx: TenantContext): Promise<Organization> {
  const { row, users } = await settingsStore(ctx).read();
  const { settings } = await loadOrganization(ctx.db, ctx.tenant.id);
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    domain: row.domain,
    logo_url: row.logoUrl,
    plan: row.plan,
    max_users: row.maxUsers,
    max_connections: row.maxConnections,
    settings: presentSettings(settings),
    usage: { users },
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/** The stored settings with `change` applied: a value replaces, null removes. */
export function mergeSettings(
  current: OrganizationSettings,
  change: Record<string, unknown> | undefined,
): OrganizationSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change ?? {})) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as unknown as OrganizationSettings;
}

function checkSettings(next: OrganizationSettings, clientIp: string): void {
  if (next.sso_enabled && !next.sso_provider) {
    throw new ApiError("VALIDATION_ERROR", "SSO needs a provider", {
      fields: [
        { path: "settings.sso_provider", message: "required when sso_enabled is true", code: "custom" },
      ],
    });
  }
  if (!ipAllowed(clientIp, next.allowed_ip_ranges ?? [])) {
    throw new ApiError(
      "UNPROCESSABLE",
      `These allowed_ip_ranges would lock you out: your address ${clientIp || "(unknown)"} is in none of them`,
      { field: "settings.allowed_ip_ranges", your_ip: clientIp },
    );
  }
}

const forAudit = (s: OrganizationSettings): Record<string, unknown> => ({
  ...s,
  webhook_url: redactUrl(s.webhook_url),
});

export async function updateOrganization(ctx: TenantContext, body: SettingsPatch): Promise<Organization> {
  const clientIp = ctx.request?.ip ?? "";
  const { before, next } = await settingsStore(ctx).change((current) => {
    const next = mergeSettings(current.settings, body.settings);
    checkSettings(next, clientIp);
    return {
      set: { name: body.name, domain: body.domain, logoUrl: body.logo_url, settings: next },
      result: { before: current, next },
    };
  });
  invalidateOrganization(ctx.tenant.id);
  const beforeA = forAudit(before.settings);
  const afterA = forAudit(next);
  const changed = Object.keys(body.settings ?? {}).filter(
    (k) =>
      JSON.stringify((before.settings as unknown as Record<string, unknown>)[k]) !==
      JSON.stringify((next as unknown as Record<string, unknown>)[k]),
  );
  const who = ctx.actor.kind === "user" ? ctx.actor.email : "the platform";
  await recordAudit(ctx, {
    type: "settings.updated",
    action: "update",
    description: `${who} updated the organization settings${changed.length ? ` (${changed.join(", ")})` : ""}`,
    category: "system",
    metadata: {
      fields: [...Object.keys(body).filter((k) => k !== "settings"), ...changed.map((k) => `settings.${k}`)],
      before: {
        ...(body.name !== undefined ? { name: before.name } : {}),
        settings: Object.fromEntries(changed.map((k) => [k, beforeA[k] ?? null])),
      },
      after: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        settings: Object.fromEntries(changed.map((k) => [k, afterA[k] ?? null])),
      },
    },
  });
  return readOrganization(ctx);
}
