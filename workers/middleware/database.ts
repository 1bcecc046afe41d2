// The request's databases (workers/db/databases.ts, request lifetime): the control database is set as
// `db`, a tenant's as the scope's `db` (openTenantDb); every pool the request opened is closed after the
// response is sent. Pools connect lazily, so routes that never query never open a socket.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Db } from "../../db/client.ts";
import { Databases } from "../db/databases.ts";
import type { AppEnv } from "../env.ts";
import type { TenantRecord } from "../tenancy/tenant-record.ts";

export const database = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const databases = Databases.forRequest(c.env);
    c.set("databases", databases);
    c.set("db", databases.controlDb);
    try {
      await next();
    } finally {
      const closing = databases.close();
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        // No execution context (direct app.request in unit tests): just let it finish.
      }
    }
  });

/** The database holding the tenant's remote-access data: the pooled one, or its dedicated PostgreSQL. */
export function openTenantDb(c: Context<AppEnv>, tenant: TenantRecord): Promise<Db> {
  return c.var.databases.tenantDb(tenant);
}
