// Role lookups with the seed's cache policy (ROLE: TTL 1 h), invalidated the moment a role changes here.

import { isPermission, type Permission, PREDEFINED_ROLES } from "@nostromo/permissions";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { role } from "../../db/schema/tenant/role.ts";

export interface RoleRecord {
  id: string;
  organizationId: string | null;
  name: string;
  permissions: Permission[];
  ownOnly: Permission[];
  isSystem: boolean;
}

export const ROLE_CACHE_TTL_MS = 60 * 60 * 1000;
const cache = new Map<string, { at: number; role: RoleRecord | null }>();

export function invalidateRole(id?: string): void {
  if (id) cache.delete(id);
  else cache.clear();
}

export async function loadRole(db: Db, id: string): Promise<RoleRecord | null> {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < ROLE_CACHE_TTL_MS) return hit.role;
  const [row] = await db.select().from(role).where(eq(role.id, id));
  const record: RoleRecord | null = row
    ? {
        id: row.id,
        organizationId: row.organizationId,
        name: row.name,
        permissions: row.permissions.filter(isPermission),
        ownOnly: row.isSystem ? [...(PREDEFINED_ROLES.find((r) => r.name === row.name)?.ownOnly ?? [])] : [],
        isSystem: row.isSystem,
      }
    : null;
  cache.set(id, { at: Date.now(), role: record });
  return record;
}

/** A role the tenant may use: a predefined one or one of its own custom roles; null otherwise. */
export async function roleForTenant(db: Db, id: string, tenantId: string): Promise<RoleRecord | null> {
  const r = await loadRole(db, id);
  return r && (r.organizationId === null || r.organizationId === tenantId) ? r : null;
}

export function isAdminRole(r: Pick<RoleRecord, "isSystem" | "name">): boolean {
  return r.isSystem && r.name === "Admin";
}
