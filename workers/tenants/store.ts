// Tenant administration's statements on the control plane — the one writer of command.tenants and
// command.tenant_features (provisioning included) — and the one read of a tenant's organization for the
// detail. Control-plane rows span tenants: only super admins reach them (the routes guard that).
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
        await tenantWrites(tx as unknown as Db).addFeatures(id, features);
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
/** Provisioning's statements; `db` may be a transaction (the pooled case is one). */
export function tenantWrites(db: Db) {
  return {
    async subdomainTaken(subdomain: string): Promise<boolean> {
      const rows = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.subdomain, subdomain));
      return rows.length > 0;
    },
    async insert(values: typeof tenants.$inferInsert): Promise<string> {
      const [t] = await db.insert(tenants).values(values).returning({ id: tenants.id });
      if (!t) throw new Error("tenant insert returned nothing");
      return t.id;
    },
    async addFeatures(id: string, features: string[]) {
      if (features.length)
        await db.insert(tenantFeatures).values(features.map((feature) => ({ tenantId: id, feature })));
    },
    async activate(id: string) {
      await db.update(tenants).set({ status: "active" }).where(eq(tenants.id, id));
    },
    /** Undoes a provisioning that failed half way (the features go with it: on delete cascade). */
    async remove(id: string) {
      await db.delete(tenants).where(eq(tenants.id, id));
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
