// Role lookups with the seed's cache policy (ROLE: TTL 1 h), per tenant (lib/tenant-cache.ts), invalidated by
// the roles service the moment a role changes here. Predefined roles cannot be changed, so caching them per
// tenant costs a few entries and keeps every entry inside one tenant.

import { isPermission, type Permission, PREDEFINED_ROLES } from "@nostromo/permissions";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { TenantCache } from "../lib/tenant-cache.ts";

export interface RoleRecord {
  id: string;
  organizationId: string | null;
  name: string;
  permissions: Permission[];
  ownOnly: Permission[];
  isSystem: boolean;
}

export const ROLE_CACHE_TTL_MS = 60 * 60 * 1000;
const cache = new TenantCache<RoleRecord | null>({ ttlMs: ROLE_CACHE_TTL_MS });

export function invalidateRole(tenantId: string, id: string): void {
  cache.invalidate(tenantId, id);
}

/** The role as `tenantId` sees it (its database, its cache entry); null when there is none. */
export function loadRole(db: Db, tenantId: string, id: string): Promise<RoleRecord | null> {
  return cache.get(tenantId, id, () => readRole(db, id));
}

async function readRole(db: Db, id: string): Promise<RoleRecord | null> {
  const [row] = await db.select().from(role).where(eq(role.id, id));
  return row
    ? {
        id: row.id,
        organizationId: row.organizationId,
        name: row.name,
        permissions: row.permissions.filter(isPermission),
        ownOnly: row.isSystem ? [...(PREDEFINED_ROLES.find((r) => r.name === row.name)?.ownOnly ?? [])] : [],
        isSystem: row.isSystem,
      }
    : null;
}

/** A role the tenant may use: a predefined one or one of its own custom roles; null otherwise. */
export async function roleForTenant(db: Db, id: string, tenantId: string): Promise<RoleRecord | null> {
  const r = await loadRole(db, tenantId, id);
  return r && (r.organizationId === null || r.organizationId === tenantId) ? r : null;
}

export function isAdminRole(r: Pick<RoleRecord, "isSystem" | "name">): boolean {
  return r.isSystem && r.name === "Admin";
}
