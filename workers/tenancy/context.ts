// A tenant context: all a domain service needs to act for one tenant — its record, its database, the
// control-plane database, who acts and (for a request) from where. Built from a request by
// requestTenant(c), or by tenantContext({...}) inside a Durable Object or a scheduled job, so that routes,
// objects and jobs call the same services instead of copying them.
import type { Context } from "hono";
import type { Db } from "../../db/client.ts";
import type { Principal } from "../auth/principal.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { TenantRecord } from "./tenant-record.ts";

/** Who acts: a signed-in principal, an agent, or the platform itself (timers, jobs). */
export type Actor =
  | { kind: "user" | "super_admin"; id: string; email: string }
  | { kind: "agent"; id: string }
  | { kind: "system"; id: null };

export const SYSTEM: Actor = { kind: "system", id: null };

export interface RequestInfo {
  requestId: string;
  ip: string;
  userAgent: string;
}

export interface TenantContext {
  env: Bindings;
  tenant: TenantRecord;
  /** The tenant's database (pooled or dedicated). Stores filter every statement by tenant.id. */
  db: Db;
  /** The control-plane database (also the pooled tenant database). */
  control: Db;
  actor: Actor;
  request: RequestInfo | null;
}

export function actorOf(p: Principal | null): Actor {
  return p ? { kind: p.kind, id: p.id, email: p.email } : SYSTEM;
}

export function requestInfo(c: Context<AppEnv>): RequestInfo {
  return {
    requestId: c.var.requestId,
    ip: c.var.clientIp ?? "",
    userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
  };
}

/** The request's tenant context; 404 TENANT_NOT_FOUND on the platform host (no tenant named). */
export function requestTenant(c: Context<AppEnv>): TenantContext {
  const s = c.var.scope;
  if (!s) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return {
    env: c.env,
    tenant: s.tenant,
    db: s.db,
    control: c.var.db,
    actor: actorOf(c.var.principal),
    request: requestInfo(c),
  };
}

/** A context outside a request (Durable Object, scheduled job): the caller owns the databases' lifetime. */
export function tenantContext(parts: {
  env: Bindings;
  tenant: TenantRecord;
  db: Db;
  control: Db;
  actor?: Actor;
}): TenantContext {
  return { actor: SYSTEM, request: null, ...parts };
}
