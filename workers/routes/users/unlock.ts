// POST /api/users/:id/unlock (user:update): clears every failed-login counter of one of the tenant's users
// — all addresses and the account-wide one — so an Admin can let a person back in at once after a
// brute-force attack instead of waiting for the 15-minute window. Audited (user.updated, action unlock).

import { Permission } from "@nostromo/permissions";
import { and, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { currentUser, requirePermission } from "../../auth/guard.ts";
import { unlockAccount } from "../../auth/throttle.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { idParam } from "../../lib/validate.ts";

export const userUnlockRoutes = new Hono<AppEnv>().post(
  "/:id/unlock",
  requirePermission(Permission.UPDATE_USER),
  async (c) => {
    const p = currentUser(c);
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const id = idParam(c);
    const [u] = await scope.db
      .select({ id: user.id, email: user.email })
      .from(user)
      .where(and(eq(user.id, id), eq(user.organizationId, scope.tenant.id), isNull(user.deletedAt)));
    if (!u) throw new ApiError("NOT_FOUND", "No such user");
    const cleared = await unlockAccount(c.var.db, scope.tenant.id, u.email);
    await audit(c, {
      type: "user.updated",
      action: "unlock",
      description: `${p.email} cleared the failed-login throttle of ${u.email}`,
      category: "security",
      metadata: { targetUserId: u.id, email: u.email, clearedFailures: cleared },
    });
    return c.json({ unlocked: { id: u.id, email: u.email }, clearedFailures: cleared });
  },
);
