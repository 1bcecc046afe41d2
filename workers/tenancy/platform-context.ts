// A platform context: what a control-plane service (the Command Center, tenant administration, monitoring)
// needs to act across tenants — the control-plane database, who acts and from where. The counterpart of
// TenantContext for work that belongs to no single tenant; built from a request by requestPlatform(c).
import type { Context } from "hono";
import type { Db } from "../../db/client.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { type Actor, actorOf, type RequestInfo, requestInfo } from "./context.ts";

export interface PlatformContext {
  env: Bindings;
  /** The control-plane database (also the pooled tenant database). */
  control: Db;
  actor: Actor;
  request: RequestInfo | null;
}

export function requestPlatform(c: Context<AppEnv>): PlatformContext {
  return { env: c.env, control: c.var.db, actor: actorOf(c.var.principal), request: requestInfo(c) };
}
