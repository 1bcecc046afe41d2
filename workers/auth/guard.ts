// Authorization guards used by every route: who may call it, with which permission. Denials of an
// authenticated user are audited (security.unauthorized); "only their own" rules go through mayActOn.

import type { Permission } from "@nostromo/permissions";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { audit } from "../audit/audit.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { SuperAdminPrincipal, UserPrincipal } from "./principal.ts";

function unauthenticated(c: Context<AppEnv>): ApiError {
  return c.var.authFailure === "SESSION_EXPIRED"
    ? new ApiError("SESSION_EXPIRED", "Your login has expired or was ended; sign in again")
    : new ApiError("UNAUTHORIZED", "Authentication required");
}

export function currentUser(c: Context<AppEnv>, opts: { allowPending?: boolean } = {}): UserPrincipal {
  const p = c.var.principal;
  if (!p) throw unauthenticated(c);
  if (p.kind !== "user") throw new ApiError("FORBIDDEN", "This route is for tenant users");
  if (p.pendingStep && !opts.allowPending) {
    throw new ApiError(
      "TWO_FACTOR_ENROLLMENT_REQUIRED",
      "Your organization requires two-factor authentication: enrol first",
    );
  }
  return p;
}

export function currentSuperAdmin(c: Context<AppEnv>): SuperAdminPrincipal {
  const p = c.var.principal;
  if (!p) throw unauthenticated(c);
  if (p.kind !== "super_admin") throw new ApiError("FORBIDDEN", "This route is for platform super admins");
  return p;
}

async function deny(c: Context<AppEnv>, p: UserPrincipal, missing: Permission[]): Promise<never> {
  await audit(c, {
    type: "security.unauthorized",
    action: "permission_denied",
    description: `${p.email} was refused ${c.req.method} ${c.req.path} (needs ${missing.join(", ")})`,
    status: "failure",
    metadata: { method: c.req.method, path: c.req.path, missing },
  });
  throw new ApiError("FORBIDDEN", `Missing permission: ${missing.join(", ")}`, { missing });
}

export const requireUser = (opts: { allowPending?: boolean } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    currentUser(c, opts);
    await next();
  });

export const requireSuperAdmin = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    currentSuperAdmin(c);
    await next();
  });

/** Inside a handler: 403 (audited) unless `p` has every one of `perms`. */
export async function assertPermission(
  c: Context<AppEnv>,
  p: UserPrincipal,
  ...perms: Permission[]
): Promise<void> {
  const missing = perms.filter((x) => !p.permissions.includes(x));
  if (missing.length) await deny(c, p, missing);
}

export const requirePermission = (...perms: Permission[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await assertPermission(c, currentUser(c), ...perms);
    await next();
  });

export function can(p: UserPrincipal, perm: Permission): boolean {
  return p.permissions.includes(perm);
}

/** `perm` on a resource owned by `ownerId`: roles with an "only their own" rule need to own it. */
export function mayActOn(p: UserPrincipal, perm: Permission, ownerId: string | null | undefined): boolean {
  if (!p.permissions.includes(perm)) return false;
  return !p.ownOnly.includes(perm) || ownerId === p.id;
}

export async function assertMayActOn(
  c: Context<AppEnv>,
  p: UserPrincipal,
  perm: Permission,
  ownerId: string | null | undefined,
): Promise<void> {
  if (!p.permissions.includes(perm)) await deny(c, p, [perm]);
  if (!mayActOn(p, perm, ownerId)) {
    await audit(c, {
      type: "security.unauthorized",
      action: "not_owner",
      description: `${p.email} may only ${perm} their own resources`,
      status: "failure",
      metadata: { method: c.req.method, path: c.req.path, permission: perm },
    });
    throw new ApiError("FORBIDDEN", `Your role may only use ${perm} on your own resources`);
  }
}

/**
 * Refuses (403, audited as security.unauthorized) acting on, or handing out, permissions the caller does
 * not hold itself: how role escalation through users and custom roles is stopped.
 */
export async function assertWithinOwn(
  c: Context<AppEnv>,
  p: UserPrincipal,
  perms: readonly string[],
  what: string,
): Promise<void> {
  const held: readonly string[] = p.permissions;
  const beyond = perms.filter((x) => !held.includes(x));
  if (!beyond.length) return;
  await audit(c, {
    type: "security.unauthorized",
    action: "escalation_refused",
    description: `${p.email} may not ${what}: it needs permissions they do not hold`,
    status: "failure",
    metadata: { method: c.req.method, path: c.req.path, beyond },
  });
  throw new ApiError("FORBIDDEN", `You may not ${what}: it goes beyond your own permissions`, { beyond });
}

/**
 * The authorization checks a domain service needs while it works, bound to the caller: services take a
 * Guard instead of a Hono Context, so a Durable Object or a job can pass its own. Refusals are audited
 * exactly as the functions above do.
 */
export interface Guard {
  user: UserPrincipal;
  /** 403 (audited) unless the caller holds every one of `perms`. */
  require(...perms: Permission[]): Promise<void>;
  /** 403 (audited as escalation_refused) when `perms` go beyond the caller's own. */
  withinOwn(perms: readonly string[], what: string): Promise<void>;
}

export function guardOf(c: Context<AppEnv>, opts: { allowPending?: boolean } = {}): Guard {
  const user = currentUser(c, opts);
  return {
    user,
    require: (...perms) => assertPermission(c, user, ...perms),
    withinOwn: (perms, what) => assertWithinOwn(c, user, perms, what),
  };
}
