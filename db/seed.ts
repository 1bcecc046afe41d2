// Seed data every database needs: the three predefined roles with the seed's permission matrix.
// Idempotent: running it again brings the predefined roles back to the matrix.

import { PREDEFINED_ROLES } from "@nostromo/permissions";
import { and, eq, isNull } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { role } from "./schema/tenant/role.ts";

export async function seedPredefinedRoles<H extends PgQueryResultHKT>(
  db: PgDatabase<H, Record<string, unknown>>,
): Promise<void> {
  for (const r of PREDEFINED_ROLES) {
    const values = {
      name: r.name,
      description: r.description,
      color: r.color,
      permissions: [...r.permissions],
      isSystem: true,
    };
    const existing = await db
      .select({ id: role.id })
      .from(role)
      .where(and(eq(role.name, r.name), isNull(role.organizationId)));
    if (existing[0]) await db.update(role).set(values).where(eq(role.id, existing[0].id));
    else await db.insert(role).values(values);
  }
}
