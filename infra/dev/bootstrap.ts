// First-run data for a local stack: the bootstrap super admin and the demo tenant (pooled database).
// Idempotent, so a second `npm start` reuses what the first one made; the demo tenant is made in one
// transaction, so a start interrupted half-way leaves either all of it or none (a tenant row without its
// organization used to make every later start fail at the agent step with a 500).

import { loadMasterKey, newDataKey } from "@nostromo/crypto";
import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { superAdmins, tenantFeatures, tenants } from "../../db/schema/control/tenants.ts";
import { DEFAULT_ORGANIZATION_SETTINGS, organization } from "../../db/schema/tenant/organization.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { TIER_FEATURES } from "../../workers/tenancy/features.ts";

export async function ensureSuperAdmin(db: NodePgDatabase, email: string, password: string): Promise<void> {
  const found = await db.select({ id: superAdmins.id }).from(superAdmins).where(eq(superAdmins.email, email));
  if (found[0]) return;
  await db
    .insert(superAdmins)
    .values({ email, name: "Platform admin", passwordHash: await bcrypt.hash(password, 10) });
}

export const DEMO_FEATURES = TIER_FEATURES.gold;

export async function ensureDemoTenant(
  db: NodePgDatabase,
  masterKeySecret: string,
  admin: { email: string; password: string },
): Promise<string> {
  const found = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.subdomain, "demo"));
  if (found[0]) return found[0].id;
  const master = await loadMasterKey(masterKeySecret);
  const { wrapped } = await newDataKey(master);
  const passwordHash = await bcrypt.hash(admin.password, 10);
  return db.transaction(async (tx) => {
    const [t] = await tx
      .insert(tenants)
      .values({
        companyName: "Demo Company",
        subdomain: "demo",
        tier: "gold",
        status: "active",
        contactName: "Demo Admin",
        contactEmail: admin.email,
        dataKeyWrapped: wrapped,
        masterKeyId: master.id,
      })
      .returning({ id: tenants.id });
    if (!t) throw new Error("demo tenant not created");
    await tx.insert(tenantFeatures).values(DEMO_FEATURES.map((feature) => ({ tenantId: t.id, feature })));
    await tx.insert(organization).values({
      id: t.id,
      name: "Demo Company",
      slug: "demo",
      plan: "pro",
      maxUsers: 50,
      maxConnections: 100,
      settings: DEFAULT_ORGANIZATION_SETTINGS,
    });
    const [adminRole] = await tx.select({ id: role.id }).from(role).where(eq(role.name, "Admin"));
    if (!adminRole) throw new Error("predefined roles missing: migrations not applied?");
    await tx.insert(user).values({
      email: admin.email,
      name: "Demo Admin",
      passwordHash,
      roleId: adminRole.id,
      organizationId: t.id,
    });
    return t.id;
  });
}
