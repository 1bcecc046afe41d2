// Tenant administration's statements on the control plane (command.tenants, command.tenant_features) and
// the one read of a tenant's organization for the detail. Control-plane rows span tenants: only super
// admins reach them (the routes guard that). Provisioning's inserts live beside it in provision.ts.
import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { tenantFeatures, tenants } from "../../db/schema/control/tenants.ts";
import { organization } from "../../db/schema/tenant/organization.ts";
import { pageOffset } from "../contract/schemas.ts";
import type { PlatformContext } from "../tenancy/platform-context.ts";
import type { TenantQuery } from "./schemas.ts";

const summaryColumns = {
  id: tenants.id,
  companyName: tenants.companyName,
  subdomain: tenants.subdomain,
  tier: tenants.tier,
  status: tenants.status,
  statusReason: tenants.statusReason,
  driverType: tenants.driverType,
  dbMode: tenants.dbMode,
  createdAt: tenants.createdAt,
  updatedAt: tenants.updatedAt,
  features: sql<
    string[]
  >`coalesce((select array_agg(f.feature order by f.feature) from command.tenant_features f where f.tenant_id = ${tenants.id}), '{}')`,
};

const bumpVersion = { version: sql`${tenants.version} + 1` };

export function tenantStore(ctx: PlatformContext) {
  const db = ctx.control;
  return {
    async list(q: TenantQuery) {
      const where = and(
        isNull(tenants.deletedAt),
        q.status ? eq(tenants.status, q.status) : undefined,
        q.tier ? eq(tenants.tier, q.tier) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select(summaryColumns)
          .from(tenants)
          .where(where)
          .orderBy(asc(tenants.createdAt), asc(tenants.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(tenants).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async detail(id: string) {
      const [row] = await db
        .select({
          ...summaryColumns,
          contactName: tenants.contactName,
          contactEmail: tenants.contactEmail,
          contactPhone: tenants.contactPhone,
          rut: tenants.rut,
          config: tenants.config,
          credentialsStored: sql<boolean>`${tenants.dbConfigEncrypted} is not null`,
        })
        .from(tenants)
        .where(and(eq(tenants.id, id), isNull(tenants.deletedAt)));
      return row ?? null;
    },

    /** Replaces the tenant's feature set (one transaction; the version bump invalidates caches). */
    async setFeatures(id: string, features: string[]) {
      await db.transaction(async (tx) => {
        await tx.delete(tenantFeatures).where(eq(tenantFeatures.tenantId, id));
        if (features.length)
          await tx.insert(tenantFeatures).values(features.map((feature) => ({ tenantId: id, feature })));
        await tx.update(tenants).set(bumpVersion).where(eq(tenants.id, id));
      });
    },

    async setStatus(id: string, status: "active" | "suspended", reason: string | null) {
      await db
        .update(tenants)
        .set({ status, statusReason: reason, ...bumpVersion })
        .where(eq(tenants.id, id));
    },
  };
}
export type TenantSummaryRow = Awaited<ReturnType<ReturnType<typeof tenantStore>["list"]>>["rows"][number];
export type TenantDetailRow = NonNullable<Awaited<ReturnType<ReturnType<typeof tenantStore>["detail"]>>>;

/** The organization of a tenant in its own database (pooled or dedicated): `id` is the tenant's id. */
export async function organizationOf(tenantDb: Db, id: string) {
  const [row] = await tenantDb
    .select({
      plan: organization.plan,
      maxUsers: organization.maxUsers,
      maxConnections: organization.maxConnections,
      settings: organization.settings,
    })
    .from(organization)
    .where(eq(organization.id, id));
  return row ?? null;
}
