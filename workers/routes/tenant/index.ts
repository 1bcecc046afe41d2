// /api/tenant: the resolved tenant's public profile (info) and a read-only, paginated view of a named
// table or collection of its database (data), through the database-adapter strategy.

import { Permission } from "@nostromo/permissions";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import { organization } from "../../../db/schema/tenant/organization.ts";
import { audit } from "../../audit/audit.ts";
import { requirePermission } from "../../auth/guard.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { presentSettings } from "../../lib/redact.ts";
import { readQuery } from "../../lib/validate.ts";
import { adapterFor } from "../../tenancy/adapters/index.ts";
import { FEATURES } from "../../tenancy/features.ts";
import { loadOrganization, type OrganizationRecord } from "../../tenancy/organization.ts";
import { requireFeature } from "../../tenancy/resolver.ts";

const dataQuery = z.object({
  table: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "a table or collection name")
    .optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

function tenantOf(c: { var: AppEnv["Variables"] }) {
  const scope = c.var.scope;
  if (!scope) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return scope;
}

function redactRow(row: Record<string, unknown>): Record<string, unknown> {
  const settings = row.settings;
  if (!settings || typeof settings !== "object") return row;
  return { ...row, settings: presentSettings(settings as { webhook_url?: string }) };
}

/** What a sign-in page shows: the organization's name and logo, and how its people sign in. */
async function signInFacts(db: Db, org: OrganizationRecord) {
  const [row] = await db
    .select({ logoUrl: organization.logoUrl })
    .from(organization)
    .where(eq(organization.id, org.id));
  const sso = org.settings.sso_enabled && org.settings.sso_provider ? org.settings.sso_provider : null;
  return {
    name: org.name,
    logoUrl: row?.logoUrl ?? null,
    signIn: {
      methods: sso ? ["password", "sso"] : ["password"],
      ssoProvider: sso,
      twoFactor: org.settings.require_2fa ? "required" : "optional",
    },
  };
}

export const tenantApi = new Hono<AppEnv>()
  .get("/info", async (c) => {
    const { tenant, db } = tenantOf(c);
    const org = await loadOrganization(db, tenant.id);
    const signIn = await signInFacts(db, org);
    const p = c.var.principal;
    // Anonymous callers (a sign-in page) get only what signing in needs; the tier, plan, limits,
    // features and security settings need a login of this tenant (or the platform's super admin).
    const member = p?.kind === "super_admin" || (p?.kind === "user" && p.tenantId === tenant.id);
    if (!member)
      return c.json({
        id: tenant.id,
        companyName: tenant.companyName,
        subdomain: tenant.subdomain,
        ...signIn,
      });
    return c.json({
      id: tenant.id,
      companyName: tenant.companyName,
      subdomain: tenant.subdomain,
      ...signIn,
      tier: tenant.tier,
      status: tenant.status,
      features: tenant.features,
      plan: org.plan,
      limits: { maxUsers: org.maxUsers, maxConnections: org.maxConnections },
      security: { require2fa: org.settings.require_2fa, ssoEnabled: org.settings.sso_enabled },
    });
  })

  .get(
    "/data",
    requireFeature(FEATURES.TENANT_DATA),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => {
      const scope = tenantOf(c);
      const q = readQuery(c, dataQuery);
      const adapter = await adapterFor(c, scope);
      try {
        if (!q.table) return c.json({ driver: adapter.driver, tables: await adapter.listTables() });
        const page = await adapter.read(q.table, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
        await audit(c, {
          type: "tenant.data.read",
          action: "read",
          description: `Read ${page.rows.length} rows of ${q.table}`,
          metadata: { table: q.table, page: q.page, pageSize: q.pageSize, driver: adapter.driver },
        });
        return c.json({
          driver: adapter.driver,
          table: q.table,
          // The organization's settings hold the webhook URL: write-only here too.
          data: page.rows.map(redactRow),
          pagination: { page: q.page, pageSize: q.pageSize, total: page.total },
        });
      } finally {
        await adapter.close();
      }
    },
  );

export { organization };
