// Tenant administration for super admins: provision (audited on the platform trail, failures too), list,
// detail (never credentials), features, suspend and reactivate. Every change invalidates the tenant cache.
// Control-plane work: it takes a PlatformContext, never a Hono Context.
import type { Db } from "../../db/client.ts";
import { DEFAULT_ORGANIZATION_SETTINGS } from "../../db/schema/tenant/organization.ts";
import { recordPlatformAudit } from "../audit/audit.ts";
import { iso, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { presentSettings } from "../lib/redact.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import { findTenant, invalidateTenant, type TenantRecord } from "../tenancy/tenant-record.ts";
import { provisionTenant } from "./provision.ts";
import type { ProvisionInput, ProvisionResult, TenantDetail, TenantQuery, TenantSummary } from "./schemas.ts";
import { organizationOf, type TenantDetailRow, type TenantSummaryRow, tenantStore } from "./store.ts";

export function presentTenant(r: TenantSummaryRow): TenantSummary {
  return {
    id: r.id,
    company_name: r.companyName,
    subdomain: r.subdomain,
    tier: r.tier,
    status: r.status,
    status_reason: r.statusReason,
    driver_type: r.driverType,
    db_mode: r.dbMode,
    features: r.features,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

type Organization = NonNullable<Awaited<ReturnType<typeof organizationOf>>>;

function presentOrganization(o: Organization): NonNullable<TenantDetail["organization"]> {
  const s = presentSettings({ ...DEFAULT_ORGANIZATION_SETTINGS, ...o.settings });
  return {
    plan: o.plan,
    max_users: o.maxUsers,
    max_connections: o.maxConnections,
    settings: {
      session_timeout: s.session_timeout,
      auto_record_sessions: s.auto_record_sessions,
      require_2fa: s.require_2fa,
      allowed_ip_ranges: s.allowed_ip_ranges ?? [],
      sso_enabled: s.sso_enabled,
      sso_provider: s.sso_provider ?? null,
      recording_retention_days: s.recording_retention_days ?? null,
      approval_timeout_ms: s.approval_timeout_ms ?? null,
      webhook_url: s.webhook_url ?? null,
    },
  };
}

export function presentTenantDetail(
  r: TenantDetailRow,
  features: string[],
  org: Organization | null,
): TenantDetail {
  return {
    ...presentTenant({ ...r, features }),
    contact_name: r.contactName,
    contact_email: r.contactEmail,
    contact_phone: r.contactPhone,
    rut: r.rut,
    config: r.config,
    database: { mode: r.dbMode, driver_type: r.driverType, credentials_stored: r.credentialsStored },
    organization: org ? presentOrganization(org) : null,
  };
}

export async function provision(ctx: PlatformContext, input: ProvisionInput): Promise<ProvisionResult> {
  try {
    const result = await provisionTenant(ctx, input);
    await recordPlatformAudit(ctx, {
      type: "tenant.provisioned",
      action: "provision",
      description: `Provisioned tenant ${result.tenant.companyName} (${result.tenant.subdomain})`,
      tenantId: result.tenant.id,
      metadata: { tier: input.tier, database: result.database },
    });
    return result;
  } catch (err) {
    await recordPlatformAudit(ctx, {
      type: "tenant.provisioned",
      action: "provision",
      description: `Provisioning ${input.companyName} failed: ${err instanceof Error ? err.message : "error"}`,
      status: "failure",
    });
    throw err;
  }
}

export async function listTenants(ctx: PlatformContext, q: TenantQuery) {
  const { rows, total } = await tenantStore(ctx).list(q);
  return pageOf(q, rows.map(presentTenant), total);
}

async function existing(ctx: PlatformContext, id: string): Promise<TenantRecord> {
  const record = await findTenant(ctx.control, id, { fresh: true });
  if (!record) throw new ApiError("NOT_FOUND", "No such tenant");
  return record;
}

/** `openDb` reaches the tenant's own database (pooled or dedicated) for its organization. */
export async function tenantDetail(
  ctx: PlatformContext,
  id: string,
  openDb: (t: TenantRecord) => Promise<Db>,
): Promise<TenantDetail> {
  const row = await tenantStore(ctx).detail(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such tenant");
  const record = await findTenant(ctx.control, id, { fresh: true });
  const org =
    record?.status === "active"
      ? await openDb(record)
          .then((db) => organizationOf(db, id))
          .catch(() => null)
      : null;
  return presentTenantDetail(row, record?.features ?? [], org);
}

export async function setFeatures(ctx: PlatformContext, id: string, features: string[]) {
  const record = await existing(ctx, id);
  const unique = [...new Set(features)].sort();
  await tenantStore(ctx).setFeatures(id, unique);
  invalidateTenant(record);
  await recordPlatformAudit(ctx, {
    type: "tenant.updated",
    action: "features",
    description: `Features of ${record.subdomain} set to [${unique.join(", ")}]`,
    tenantId: id,
    metadata: { before: record.features, after: unique },
  });
  return { message: "Features updated", tenant: { id, subdomain: record.subdomain, features: unique } };
}

export async function setStatus(
  ctx: PlatformContext,
  id: string,
  status: "active" | "suspended",
  reason: string | undefined,
) {
  const record = await existing(ctx, id);
  const from = status === "active" ? "suspended" : "active";
  if (record.status !== from)
    throw new ApiError("INVALID_STATE", `The tenant is ${record.status}, not ${from}`);
  await tenantStore(ctx).setStatus(id, status, reason ?? null);
  invalidateTenant(record);
  await recordPlatformAudit(ctx, {
    type: "tenant.updated",
    action: status === "active" ? "reactivate" : "suspend",
    description: `${record.subdomain} ${status === "active" ? "reactivated" : "suspended"}${reason ? `: ${reason}` : ""}`,
    tenantId: id,
  });
  return { tenant: { id, subdomain: record.subdomain, status } };
}
