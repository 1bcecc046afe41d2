// The USER cache (seed: TTL 1 h): the facts a cookie-authenticated request reads about its user — identity,
// role, active, 2FA — per tenant (lib/tenant-cache.ts). users/store.ts, the one writer of the user table,
// invalidates the entry after every write (after the commit, for writes in a transaction), so this isolate
// sees a change at its next read. Another isolate may serve the old facts for up to the TTL; the changes
// that must not wait — deactivation, deletion, a password reset — also end the user's logins
// (users/service.ts), which every request checks uncached, and API-token requests, which outlive those,
// read their user fresh (auth/authenticate.ts). A miss (no such live user) is not cached.
import { TenantCache } from "../lib/tenant-cache.ts";

export const USER_CACHE_TTL_MS = 60 * 60 * 1000;

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  roleId: string;
  isActive: boolean;
  twoFactorEnabled: boolean;
}

const cache = new TenantCache<UserRecord | null>({ ttlMs: USER_CACHE_TTL_MS });

/** Forgets one user of the tenant, or every user of it. */
export function invalidateUser(tenantId: string, id?: string): void {
  cache.invalidate(tenantId, id);
}

export function cachedUser(
  tenantId: string,
  id: string,
  load: () => Promise<UserRecord | null>,
): Promise<UserRecord | null> {
  return cache.get(tenantId, id, load, (u) => u !== null);
}
