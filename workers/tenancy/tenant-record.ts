// The control-plane view of a tenant that every request carries once resolved, and its lookups with a
// bounded in-isolate cache (TTL) that is invalidated by every change made through this isolate.
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { tenantFeatures, tenants } from "../../db/schema/control/tenants.ts";

export interface TenantRecord {
  id: string;
  companyName: string;
  subdomain: string;
  tier: "free" | "silver" | "gold" | "platinum";
  status: "provisioning" | "active" | "suspended" | "failed";
  driverType: "postgresql" | "mongodb";
  dbMode: "pooled" | "dedicated";
  dbConfigEncrypted: string | null;
  dataKeyWrapped: string;
  features: string[];
  version: number;
}

export const TENANT_CACHE_TTL_MS = 30_000;
const cache = new Map<string, { at: number; record: TenantRecord | null }>();

export function invalidateTenant(record: Pick<TenantRecord, "id" | "subdomain"> | null): void {
  if (!record) {
    cache.clear();
    return;
  }
  cache.delete(`id:${record.id}`);
  cache.delete(`sub:${record.subdomain}`);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

async function load(db: Db, by: "id" | "sub", key: string): Promise<TenantRecord | null> {
  const rows = await db
    .select({
      id: tenants.id,
      companyName: tenants.companyName,
      subdomain: tenants.subdomain,
      tier: tenants.tier,
      status: tenants.status,
      driverType: tenants.driverType,
      dbMode: tenants.dbMode,
      dbConfigEncrypted: tenants.dbConfigEncrypted,
      dataKeyWrapped: tenants.dataKeyWrapped,
      version: tenants.version,
      deletedAt: tenants.deletedAt,
    })
    .from(tenants)
    .where(by === "id" ? eq(tenants.id, key) : eq(tenants.subdomain, key));
  const row = rows[0];
  if (!row || row.deletedAt) return null;
  const feats = await db
    .select({ feature: tenantFeatures.feature })
    .from(tenantFeatures)
    .where(inArray(tenantFeatures.tenantId, [row.id]));
  const { deletedAt: _deleted, ...rest } = row;
  return { ...rest, features: feats.map((f) => f.feature).sort() };
}

/** A tenant by id or subdomain (the `?tenantId=` and `X-Tenant-ID` forms accept both). */
export async function findTenant(
  db: Db,
  ref: string,
  opts: { fresh?: boolean } = {},
): Promise<TenantRecord | null> {
  const by = isUuid(ref) ? "id" : "sub";
  const key = by === "id" ? ref.toLowerCase() : ref.toLowerCase();
  const cacheKey = `${by}:${key}`;
  const hit = cache.get(cacheKey);
  if (!opts.fresh && hit && Date.now() - hit.at < TENANT_CACHE_TTL_MS) return hit.record;
  const record = await load(db, by, key);
  const at = Date.now();
  cache.set(cacheKey, { at, record });
  if (record) {
    cache.set(`id:${record.id}`, { at, record });
    cache.set(`sub:${record.subdomain}`, { at, record });
  }
  return record;
}

/** A request's tenant and its database (pooled or dedicated); every query through it filters by tenant.id.
 * Declared here, beside the record, so the request environment can name it without importing scope.ts. */
export interface TenantScope {
  tenant: TenantRecord;
  db: Db;
}
