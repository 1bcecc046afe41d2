// The Worker's typed environment for Hono: the bindings (declared once, in global-props.d.ts) and the
// per-request context variables the middleware sets.
import type { Db } from "../db/client.ts";
import type { Principal } from "./auth/principal.ts";
import type { Databases } from "./db/databases.ts";
import type { TenantRecord, TenantScope } from "./tenancy/tenant-record.ts";

export type Bindings = Cloudflare.Env;

export type Variables = {
  requestId: string;
  /** The request's databases (middleware/database.ts), closed after the response. */
  databases: Databases;
  /** The control-plane database (also the pooled tenant database). */
  db: Db;
  /** The tenant named by subdomain, X-Tenant-ID or ?tenantId=, or null on the platform host. */
  tenant: TenantRecord | null;
  scope: TenantScope | null;
  principal: Principal | null;
  /** Why a presented credential was not accepted (e.g. "SESSION_EXPIRED"), for a precise 401. */
  authFailure: string | null;
  clientIp: string;
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };
