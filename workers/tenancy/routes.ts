// /api/tenant: the orchestrator seed's Tenant API for the resolved tenant — GET /info (its profile) and
// GET /data (a read-only page of a table or collection of its database).

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../lib/validate.ts";
import { requestTenant } from "./context.ts";
import { FEATURES } from "./features.ts";
import { requireFeature } from "./resolver.ts";
import { DataQuery, TenantData, TenantInfo } from "./schemas.ts";
import { isMember, tenantData, tenantInfo } from "./service.ts";

const TAG = "Tenant";

export const tenantRoutes = new Hono<AppEnv>()
  .get(
    "/info",
    op({
      tag: TAG,
      summary: "The tenant's profile: sign-in facts for anyone, plan and limits for its members",
      access: "public (more for a login of the tenant or the super admin)",
      responses: { 200: TenantInfo },
      errors: ["TENANT_NOT_FOUND", "TENANT_SUSPENDED", "TENANT_MISMATCH"],
    }),
    async (c) => {
      const ctx = requestTenant(c);
      return c.json(await tenantInfo(ctx, isMember(c.var.principal, ctx.tenant.id)));
    },
  )
  .get(
    "/data",
    op({
      tag: TAG,
      summary: "Read a page of a table or collection of the tenant's database (secret columns left out)",
      description: "Without `table`, lists the readable tables or collections. Audited as tenant.data.read.",
      access: "settings:manage, feature tenant-data",
      query: DataQuery,
      responses: { 200: TenantData },
      errors: ["FEATURE_DISABLED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"],
    }),
    requireFeature(FEATURES.TENANT_DATA),
    requirePermission(Permission.MANAGE_SETTINGS),
    async (c) => c.json(await tenantData(requestTenant(c), readQuery(c, DataQuery))),
  );
