// The organization row of one tenant: read with its user count, and changed under the row's lock. The
// organization's id is the tenant id, so its one filter is that id (it has no organization_id column).
import { count, eq, isNull } from "drizzle-orm";
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type OrganizationSettings,
  organization,
} from "../../db/schema/tenant/organization.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { ApiError } from "../errors.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";

export interface OrganizationChange {
  name?: string;
  domain?: string | null;
  logoUrl?: string | null;
  settings: OrganizationSettings;
}

export function settingsStore(ctx: TenantContext) {
  const mine = eq(organization.id, ctx.tenant.id);
  const users = scoped(ctx, user);
  const missing = () => new ApiError("TENANT_NOT_FOUND", "The organization is missing");
  return {
    async read() {
      const [[row], [n]] = await Promise.all([
        ctx.db.select().from(organization).where(mine),
        ctx.db
          .select({ n: count() })
          .from(user)
          .where(users.where(isNull(user.deletedAt))),
      ]);
      if (!row) throw missing();
      return { row, users: n?.n ?? 0 };
    },

    /**
     * Reads, lets `change` decide and writes, under the organization row's lock: two concurrent changes of
     * different settings must not undo each other. `change` throws to refuse.
     */
    async change<T>(
      change: (current: { name: string; settings: OrganizationSettings }) => {
        set: OrganizationChange;
        result: T;
      },
    ): Promise<T> {
      return ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .select({ name: organization.name, settings: organization.settings })
          .from(organization)
          .where(mine)
          .for("update");
        if (!row) throw missing();
        const { set, result } = change({
          name: row.name,
          settings: { ...DEFAULT_ORGANIZATION_SETTINGS, ...row.settings },
        });
        await tx.update(organization).set(set).where(mine);
        return result;
      });
    },
  };
}
