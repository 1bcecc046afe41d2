// Picks the adapter for a tenant's database driver (strategy pattern).
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { tenantDbConfig } from "../connection-manager.ts";
import type { TenantScope } from "../scope.ts";
import { postgresAdapter } from "./postgres.ts";
import type { TenantDataAdapter } from "./types.ts";

export async function adapterFor(c: Context<AppEnv>, scope: TenantScope): Promise<TenantDataAdapter> {
  if (scope.tenant.driverType === "postgresql") return postgresAdapter(scope.db, scope.tenant.id);
  const cfg = await tenantDbConfig(c.env, scope.tenant);
  if (!cfg) throw new ApiError("INVALID_STATE", "This tenant has no MongoDB configured");
  const { mongoAdapter, mongoUrl } = await import("./mongodb.ts");
  return mongoAdapter(mongoUrl(cfg.reveal()), cfg.reveal().database);
}
