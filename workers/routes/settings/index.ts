// /api/settings: the organization (data model ORGANIZATION + OrganizationSettings). Any user of the tenant
// reads it; MANAGE_SETTINGS changes it, every field validated, refusing a change of allowed_ip_ranges that
// would lock the caller's own address out. Plan and limits belong to the platform and are read-only here.

import { Permission } from "@nostromo/permissions";
import { and, count, eq, isNull } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type OrganizationSettings,
  organization,
} from "../../../db/schema/tenant/organization.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { currentUser, requirePermission } from "../../auth/guard.ts";
import { ipAllowed, isValidRange } from "../../auth/ip-ranges.ts";
import { AVATAR_URL, NAME } from "../../auth/user-fields.ts";
import type { AppEnv, Bindings } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { presentSettings, redactUrl } from "../../lib/redact.ts";
import { readJson } from "../../lib/validate.ts";
import { invalidateOrganization, loadOrganization } from "../../tenancy/organization.ts";

export const SESSION_TIMEOUT_MIN_MS = 60_000;
export const SESSION_TIMEOUT_MAX_MS = 24 * 60 * 60 * 1000;

const DOMAIN = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a domain like acme.com");

function settingsSchema(env: Pick<Bindings, "ENVIRONMENT">) {
  const webhook = z
    .url({
      protocol: env.ENVIRONMENT === "development" ? /^https?$/ : /^https$/,
      error: env.ENVIRONMENT === "development" ? "an http(s) URL" : "an https URL",
    })
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
      recording_retention_days: z.number().int().min(1).max(3650).nullable(),
      approval_timeout_ms: z.number().int().min(10_000).max(3_600_000).nullable(),
      webhook_url: webhook.nullable(),
    })
    .partial()
    .strict();
}

function patchSchema(env: Pick<Bindings, "ENVIRONMENT">) {
  return z
    .object({
      name: NAME.optional(),
      domain: DOMAIN.nullable().optional(),
      logo_url: AVATAR_URL.nullable().optional(),
      settings: settingsSchema(env).optional(),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, "name at least one field to change");
}

function forAudit(s: OrganizationSettings): Record<string, unknown> {
  return { ...s, webhook_url: redactUrl(s.webhook_url) };
}

function tenantOf(c: Context<AppEnv>) {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return scope;
}

async function readOrganization(c: Context<AppEnv>) {
  currentUser(c);
  const { db, tenant } = tenantOf(c);
  const [[row], [users]] = await Promise.all([
    db.select().from(organization).where(eq(organization.id, tenant.id)),
    db
      .select({ n: count() })
      .from(user)
      .where(and(eq(user.organizationId, tenant.id), isNull(user.deletedAt))),
  ]);
  if (!row) throw new ApiError("TENANT_NOT_FOUND", "The organization is missing");
  const settings = (await loadOrganization(db, tenant.id)).settings;
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    domain: row.domain,
    logo_url: row.logoUrl,
    plan: row.plan,
    max_users: row.maxUsers,
    max_connections: row.maxConnections,
    // Write-only for everybody, settings:manage included: the URL's path is the hook's secret.
    settings: presentSettings(settings),
    usage: { users: users?.n ?? 0 },
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await readOrganization(c)))

  .patch("/", requirePermission(Permission.MANAGE_SETTINGS), async (c) => {
    const p = currentUser(c);
    const { db, tenant } = tenantOf(c);
    const body = await readJson(c, patchSchema(c.env));
    // Read, merge and write under the organization row's lock: two concurrent changes of different
    // settings must not undo each other.
    const { before, next } = await db.transaction(async (tx) => {
      const [row] = await tx
        .select({ name: organization.name, settings: organization.settings })
        .from(organization)
        .where(eq(organization.id, tenant.id))
        .for("update");
      if (!row) throw new ApiError("TENANT_NOT_FOUND", "The organization is missing");
      const current: OrganizationSettings = { ...DEFAULT_ORGANIZATION_SETTINGS, ...row.settings };
      const merged: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(body.settings ?? {})) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      const next = merged as unknown as OrganizationSettings;
      if (next.sso_enabled && !next.sso_provider) {
        throw new ApiError("VALIDATION_ERROR", "SSO needs a provider", {
          fields: [
            { path: "settings.sso_provider", message: "required when sso_enabled is true", code: "custom" },
          ],
        });
      }
      if (!ipAllowed(c.var.clientIp, next.allowed_ip_ranges ?? [])) {
        throw new ApiError(
          "UNPROCESSABLE",
          `These allowed_ip_ranges would lock you out: your address ${c.var.clientIp || "(unknown)"} is in none of them`,
          { field: "settings.allowed_ip_ranges", yourIp: c.var.clientIp },
        );
      }
      await tx
        .update(organization)
        .set({ name: body.name, domain: body.domain, logoUrl: body.logo_url, settings: next })
        .where(eq(organization.id, tenant.id));
      return { before: { name: row.name, settings: current }, next };
    });
    invalidateOrganization(tenant.id);
    const changedSettings = Object.keys(body.settings ?? {}).filter(
      (k) =>
        JSON.stringify((before.settings as unknown as Record<string, unknown>)[k]) !==
        JSON.stringify((next as unknown as Record<string, unknown>)[k]),
    );
    const beforeA = forAudit(before.settings);
    const afterA = forAudit(next);
    await audit(c, {
      type: "settings.updated",
      action: "update",
      description: `${p.email} updated the organization settings${changedSettings.length ? ` (${changedSettings.join(", ")})` : ""}`,
      category: "system",
      metadata: {
        fields: [
          ...Object.keys(body).filter((k) => k !== "settings"),
          ...changedSettings.map((k) => `settings.${k}`),
        ],
        before: {
          ...(body.name !== undefined ? { name: before.name } : {}),
          settings: Object.fromEntries(changedSettings.map((k) => [k, beforeA[k] ?? null])),
        },
        after: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          settings: Object.fromEntries(changedSettings.map((k) => [k, afterA[k] ?? null])),
        },
      },
    });
    return c.json(await readOrganization(c));
  });
