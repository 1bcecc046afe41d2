// The organization (data-model ORGANIZATION) of a tenant, with its enforced settings. Cached per isolate
// for a short time and invalidated when changed here, like the tenant record.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type OrganizationSettings,
  organization,
} from "../../db/schema/tenant/organization.ts";

export interface OrganizationRecord {
  id: string;
  name: string;
  slug: string;
  plan: "free" | "pro" | "enterprise";
  maxUsers: number;
  maxConnections: number;
  settings: OrganizationSettings;
}

const TTL_MS = 30_000;
const cache = new Map<string, { at: number; org: OrganizationRecord }>();

export function invalidateOrganization(id: string): void {
  cache.delete(id);
}

export async function loadOrganization(db: Db, id: string): Promise<OrganizationRecord> {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.org;
  const [row] = await db
    .select({
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      plan: organization.plan,
      maxUsers: organization.maxUsers,
      maxConnections: organization.maxConnections,
      settings: organization.settings,
    })
    .from(organization)
    .where(eq(organization.id, id));
  if (!row) throw new Error(`organization ${id} missing`);
  const org = { ...row, settings: { ...DEFAULT_ORGANIZATION_SETTINGS, ...row.settings } };
  cache.set(id, { at: Date.now(), org });
  return org;
}
