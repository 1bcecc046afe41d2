// Picks the adapter for a tenant's database driver (strategy pattern).
import { ApiError } from "../../errors.ts";
import { tenantDbConfig } from "../connection-manager.ts";
import type { TenantContext } from "../context.ts";
import { postgresAdapter } from "./postgres.ts";
import type { TenantDataAdapter } from "./types.ts";

export async function adapterFor(ctx: TenantContext): Promise<TenantDataAdapter> {
  if (ctx.tenant.driverType === "postgresql") return postgresAdapter(ctx.db, ctx.tenant.id);
  const cfg = await tenantDbConfig(ctx.env, ctx.tenant);
  if (!cfg) throw new ApiError("INVALID_STATE", "This tenant has no MongoDB configured");
  const { mongoAdapter, mongoUrl } = await import("./mongodb.ts");
  return mongoAdapter(mongoUrl(cfg.reveal()), cfg.reveal().database);
}
