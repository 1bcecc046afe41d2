// The tenant's own API: its profile (what a sign-in page needs for anyone; the rest for its members and
// the super admin) and a read-only, paginated view of its database through the adapter strategy.

import { recordAudit } from "../audit/audit.ts";
import type { Principal } from "../auth/principal.ts";
import { pageOf, pageOffset } from "../contract/schemas.ts";
import { presentSettings } from "../lib/redact.ts";
import { adapterFor } from "./adapters/index.ts";
import type { TenantContext } from "./context.ts";
import { loadOrganization } from "./organization.ts";
import type { DataQuery, TenantInfo } from "./schemas.ts";
import { logoOf } from "./store.ts";

/** A login of this tenant, or the platform's super admin: who may see more than the sign-in facts. */
export function isMember(p: Principal | null, tenantId: string): boolean {
  return p?.kind === "super_admin" || (p?.kind === "user" && p.tenantId === tenantId);
}

export async function tenantInfo(ctx: TenantContext, member: boolean): Promise<TenantInfo> {
  const { tenant } = ctx;
  const org = await loadOrganization(ctx.db, tenant.id);
  const sso = org.settings.sso_enabled && org.settings.sso_provider ? org.settings.sso_provider : null;
  const signIn: TenantInfo = {
    id: tenant.id,
    company_name: tenant.companyName,
    subdomain: tenant.subdomain,
    name: org.name,
    logo_url: await logoOf(ctx),
    sign_in: {
      methods: sso ? ["password", "sso"] : ["password"],
      sso_provider: sso,
      two_factor: org.settings.require_2fa ? "required" : "optional",
    },
  };
  if (!member) return signIn;
  return {
    ...signIn,
    tier: tenant.tier,
    status: tenant.status,
    features: tenant.features,
    plan: org.plan,
    limits: { max_users: org.maxUsers, max_connections: org.maxConnections },
    security: { require_2fa: org.settings.require_2fa, sso_enabled: org.settings.sso_enabled },
  };
}

function redactRow(row: Record<string, unknown>): Record<string, unknown> {
  const settings = row.settings;
  if (!settings || typeof settings !== "object") return row;
  // The organization's settings hold the webhook URL: write-only here too.
  return { ...row, settings: presentSettings(settings as { webhook_url?: string }) };
}

export async function tenantData(ctx: TenantContext, q: DataQuery) {
  const adapter = await adapterFor(ctx);
  try {
    if (!q.table) return { driver: adapter.driver, tables: await adapter.listTables() };
    const page = await adapter.read(q.table, { limit: q.page_size, offset: pageOffset(q) });
    await recordAudit(ctx, {
      type: "tenant.data.read",
      action: "read",
      description: `Read ${page.rows.length} rows of ${q.table}`,
      metadata: { table: q.table, page: q.page, page_size: q.page_size, driver: adapter.driver },
    });
    return { driver: adapter.driver, table: q.table, ...pageOf(q, page.rows.map(redactRow), page.total) };
  } finally {
    await adapter.close();
  }
}
