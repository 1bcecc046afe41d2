// The tenant API's one statement of its own: the organization's logo (not in the cached organization
// record, which holds what enforcement needs).
import { eq } from "drizzle-orm";
import { organization } from "../../db/schema/tenant/organization.ts";
import type { TenantContext } from "./context.ts";

export async function logoOf(ctx: TenantContext): Promise<string | null> {
  const [row] = await ctx.db
    .select({ logoUrl: organization.logoUrl })
    .from(organization)
    .where(eq(organization.id, ctx.tenant.id));
  return row?.logoUrl ?? null;
}
