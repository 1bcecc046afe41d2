// Tenant database access outside an HTTP request (Durable Objects, cron): resolve the tenant from the
// control plane, open its pooled or dedicated database, run, close.
import { configureNeon, createDb, type Db } from "../../db/client.ts";
import type { Bindings } from "../env.ts";
import { connectionString, tenantDbConfig } from "./connection-manager.ts";
import { findTenant, type TenantRecord } from "./tenant-record.ts";

export async function withTenantDb<T>(
  env: Bindings,
  tenantId: string,
  fn: (db: Db, tenant: TenantRecord, control: Db) => Promise<T>,
): Promise<T> {
  configureNeon(env.NEON_WS_PROXY);
  const control = createDb(env.DATABASE_URL);
  const extra: { end(): Promise<void> }[] = [];
  try {
    const tenant = await findTenant(control.db, tenantId);
    if (!tenant) throw new Error(`tenant ${tenantId} not found`);
    let db = control.db;
    if (tenant.dbMode === "dedicated" && tenant.driverType === "postgresql") {
      const cfg = await tenantDbConfig(env, tenant);
      if (cfg) {
        const own = createDb(connectionString(cfg.reveal()));
        extra.push(own.pool);
        db = own.db;
      }
    }
    return await fn(db, tenant, control.db);
  } finally {
    for (const p of extra) await p.end().catch(() => {});
    await control.pool.end().catch(() => {});
  }
}
