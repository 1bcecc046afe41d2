// Authentication: the sid login cookie or an API bearer token becomes the request's principal. Cookie
// requests that change state must carry the CSRF token; the organization's idle timeout and allowed IP
// ranges are enforced on every request, not only at login.

import { timingSafeEqual } from "@nostromo/crypto";
import { isPermission } from "@nostromo/permissions";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { apiTokens, userSessions } from "../../db/schema/control/auth.ts";
import { superAdmins } from "../../db/schema/control/tenants.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { audit } from "../audit/audit.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { openTenantDb } from "../middleware/database.ts";
import { loadOrganization, type OrganizationRecord } from "../tenancy/organization.ts";
import { findTenant } from "../tenancy/tenant-record.ts";
import { cachedUser } from "../users/cache.ts";
import { ipAllowed } from "./ip-ranges.ts";
import type { Principal, SuperAdminPrincipal, UserPrincipal } from "./principal.ts";
import { loadRole } from "./roles.ts";
import { API_TOKEN_PREFIX, csrfTokenFor, hashToken } from "./tokens.ts";

export const SID_COOKIE = "sid";
export const CSRF_HEADER = "x-csrf-token";
export const LOGIN_PATH = "/api/auth/login";
// The SAML IdP's form post signs in like a password login does: a login cookie the browser already has
// (without the CSRF header an IdP cannot send) must not stand in its way.
const SAML_ACS_PATH = "/api/auth/sso/saml/acs";
export const SUPER_ADMIN_IDLE_MS = 60 * 60 * 1000;
const TOUCH_EVERY_MS = 15_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

type Via = Pick<Principal, "loginId" | "tokenId" | "via">;

/** Makes sure the request is scoped to `tenantId` (a credential names its tenant); false on a mismatch. */
async function scopeTo(c: Context<AppEnv>, tenantId: string, via: Via["via"]): Promise<boolean> {
  if (c.var.tenant) {
    if (c.var.tenant.id === tenantId) return true;
    // A live credential of another tenant presented here: refused, and recorded in this tenant's trail.
    await audit(c, {
      type: "security.unauthorized",
      action: "foreign_credential",
      description: `A ${via === "bearer" ? "API token" : "login cookie"} of another tenant was refused`,
      status: "failure",
      userId: null,
      metadata: { via, method: c.req.method, path: c.req.path },
    });
    return false;
  }
  const tenant = await findTenant(c.var.db, tenantId);
  if (!tenant || tenant.status !== "active") return false;
  c.set("tenant", tenant);
  c.set("scope", { tenant, db: await openTenantDb(c, tenant) });
  return true;
}

async function tenantUser(
  c: Context<AppEnv>,
  tenantId: string,
  userId: string,
  via: Via,
  tokenPermissions: string[] | null,
): Promise<{ principal: UserPrincipal; org: OrganizationRecord } | null> {
  if (!(await scopeTo(c, tenantId, via.via))) return null;
  const db = c.var.scope?.db;
  if (!db) return null;
  const read = async () => {
    const [row] = await db
      .select({
        id: user.id,
        email: user.email,
        name: user.name,
        roleId: user.roleId,
        isActive: user.isActive,
        twoFactorEnabled: user.twoFactorEnabled,
      })
      .from(user)
      .where(and(eq(user.id, userId), eq(user.organizationId, tenantId), isNull(user.deletedAt)));
    return row ?? null;
  };
  // A login's cookie may use the USER cache: what must end access at once (deactivation, deletion, a
  // password reset) ends the logins, checked uncached on every request. An API token outlives those, so a
  // token-authenticated request reads its user fresh.
  const u = via.via === "cookie" ? await cachedUser(tenantId, userId, read) : await read();
  if (!u?.isActive) return null;
  const role = await loadRole(db, tenantId, u.roleId);
  // A role of another organization is never honoured, whatever the user row says.
  if (!role || (role.organizationId !== null && role.organizationId !== tenantId)) return null;
  const org = await loadOrganization(db, tenantId);
  const permissions = tokenPermissions
    ? role.permissions.filter((p) => tokenPermissions.includes(p))
    : [...role.permissions];
  // Decided on every request, not only at login: turning require_2fa on confines every login and token
  // of a user without 2FA to enrolment at once.
  const pendingStep = org.settings.require_2fa && !u.twoFactorEnabled ? "2fa_enroll" : null;
  return {
    principal: {
      kind: "user",
      id: u.id,
      tenantId,
      email: u.email,
      name: u.name,
      roleId: role.id,
      roleName: role.name,
      permissions,
      ownOnly: role.ownOnly.filter((p) => permissions.includes(p)),
      pendingStep,
      ...via,
    },
    org,
  };
}

async function superAdmin(c: Context<AppEnv>, id: string, via: Via): Promise<SuperAdminPrincipal | null> {
  const [a] = await c.var.db
    .select({
      id: superAdmins.id,
      email: superAdmins.email,
      name: superAdmins.name,
      isActive: superAdmins.isActive,
    })
    .from(superAdmins)
    .where(eq(superAdmins.id, id));
  if (!a?.isActive) return null;
  return { kind: "super_admin", id: a.id, email: a.email, name: a.name, ...via };
}

async function enforceIpRanges(c: Context<AppEnv>, org: OrganizationRecord, what: string): Promise<void> {
  if (ipAllowed(c.var.clientIp, org.settings.allowed_ip_ranges)) return;
  await audit(c, {
    type: "security.unauthorized",
    action: "ip_refused",
    description: `${what} refused: ${c.var.clientIp || "unknown address"} is outside the allowed IP ranges`,
    status: "failure",
    metadata: { ip: c.var.clientIp, method: c.req.method, path: c.req.path },
  });
  throw new ApiError("IP_NOT_ALLOWED", "Your address is not in the organization's allowed IP ranges");
}

async function fromApiToken(c: Context<AppEnv>, token: string): Promise<Principal> {
  const invalid = new ApiError("UNAUTHORIZED", "Invalid or revoked API token");
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) throw invalid;
  const [t] = await c.var.db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, await hashToken(token)));
  if (!t || t.revokedAt || (t.expiresAt && t.expiresAt.getTime() <= Date.now())) throw invalid;
  const via: Via = { loginId: null, tokenId: t.id, via: "bearer" };
  let p: Principal | null = null;
  if (t.principalType === "super_admin") p = await superAdmin(c, t.userId, via);
  else if (t.tenantId) {
    const found = await tenantUser(c, t.tenantId, t.userId, via, t.permissions.filter(isPermission));
    if (found) await enforceIpRanges(c, found.org, "API request");
    p = found?.principal ?? null;
  }
  if (!p) throw invalid;
  // Awaited, not deferred to the response's cleanups: those run beside the pool's end() and would fail.
  if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await c.var.db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, t.id));
  }
  return p;
}

async function fromLoginCookie(c: Context<AppEnv>, sid: string): Promise<Principal | null> {
  if (sid.length > 200) return null;
  const [s] = await c.var.db
    .select()
    .from(userSessions)
    .where(eq(userSessions.tokenHash, await hashToken(sid)));
  if (!s || s.revokedAt || s.expiresAt.getTime() <= Date.now()) {
    c.set("authFailure", "SESSION_EXPIRED");
    return null;
  }
  const via: Via = { loginId: s.id, tokenId: null, via: "cookie" };
  let idleMs = SUPER_ADMIN_IDLE_MS;
  let p: Principal | null = null;
  let org: OrganizationRecord | null = null;
  if (s.principalType === "super_admin") {
    p = await superAdmin(c, s.userId, via);
  } else if (s.tenantId) {
    const found = await tenantUser(c, s.tenantId, s.userId, via, null);
    p = found?.principal ?? null;
    org = found?.org ?? null;
    if (org) idleMs = org.settings.session_timeout;
  }
  if (!p) {
    c.set("authFailure", "SESSION_EXPIRED");
    return null;
  }
  const idle = Date.now() - s.lastActivityAt.getTime();
  if (idleMs > 0 && idle > idleMs) {
    await c.var.db
      .update(userSessions)
      .set({ revokedAt: new Date(), revokedReason: "idle_timeout" })
      .where(eq(userSessions.id, s.id));
    c.set("authFailure", "SESSION_EXPIRED");
    return null;
  }
  if (org) await enforceIpRanges(c, org, "Request");
  if (!SAFE_METHODS.has(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER) ?? "";
    if (!timingSafeEqual(sent, await csrfTokenFor(sid))) {
      throw new ApiError(
        "CSRF_FAILED",
        `Cookie-authenticated ${c.req.method} requests need the ${CSRF_HEADER} header`,
      );
    }
  }
  if (idle > TOUCH_EVERY_MS) {
    await c.var.db.update(userSessions).set({ lastActivityAt: sql`now()` }).where(eq(userSessions.id, s.id));
  }
  return p;
}

// Routes that carry their own credential in the Authorization header (the agent's session data token),
// checked by the object they reach.
const OWN_CREDENTIAL = /^\/api\/remote-sessions\/[^/]+\/agent$/;

export const authenticate = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("principal", null);
    c.set("authFailure", null);
    if (OWN_CREDENTIAL.test(c.req.path)) return next();
    const authz = c.req.header("authorization");
    if (authz) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      if (!m?.[1])
        throw new ApiError("UNAUTHORIZED", "Malformed Authorization header (expected: Bearer <token>)");
      c.set("principal", await fromApiToken(c, m[1]));
    } else if (!(c.req.method === "POST" && (c.req.path === LOGIN_PATH || c.req.path === SAML_ACS_PATH))) {
      // Logging in ignores any login the browser already has: a stale or valid cookie without the CSRF
      // header must not stand in the way of signing in again.
      const sid = getCookie(c, SID_COOKIE);
      if (sid) c.set("principal", await fromLoginCookie(c, sid));
    }
    await next();
  });

export const clientIp = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("clientIp", (c.req.header("cf-connecting-ip") ?? "").trim().slice(0, 64));
    await next();
  });
