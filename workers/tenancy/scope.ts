// Scope provider: the resolved tenant is the request's scope, held in Hono's context storage
// (AsyncLocalStorage underneath). Tenant-data repositories read it from here; without one they throw —
// a query over every tenant is a bug, never a fallback.
import { getContext, tryGetContext } from "hono/context-storage";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { TenantScope } from "./tenant-record.ts";

export type { TenantScope };

export class ScopeMissingError extends ApiError {
  constructor() {
    super("SCOPE_MISSING", "No tenant scope for a tenant-data query");
  }
}

export function scope(): TenantScope {
  const c = tryGetContext<AppEnv>();
  const s = c?.var.scope;
  if (!s) throw new ScopeMissingError();
  return s;
}

export function hasScope(): boolean {
  return Boolean(tryGetContext<AppEnv>()?.var.scope);
}

export function requestContext() {
  return getContext<AppEnv>();
}
