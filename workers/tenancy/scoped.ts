// Tenant-scoped statements by construction: a store opens `scoped(ctx, table)` once and builds every where
// clause with `.where(...)`, which always carries `organization_id = ctx.tenant.id`, and every insert with
// `.values(...)`, which always sets it. A store cannot forget the filter, and the 56 hand-written
// `eq(x.organizationId, …)` of the route handlers go away.
import { and, eq, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

export interface Scoped {
  /** `organization_id = tenant AND …conds` (undefined conditions are skipped). */
  where(...conds: (SQL | undefined)[]): SQL;
  /** The values with `organizationId` set to the tenant (it cannot be overridden). */
  values<V extends object>(v: V): V & { organizationId: string };
}

export function scoped(ctx: { tenant: { id: string } }, table: { organizationId: AnyPgColumn }): Scoped {
  const tenantId = ctx.tenant.id;
  const own = eq(table.organizationId, tenantId);
  return {
    where: (...conds) => and(own, ...conds) as SQL,
    values: (v) => ({ ...v, organizationId: tenantId }),
  };
}
