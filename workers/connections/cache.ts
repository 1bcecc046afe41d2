// In-isolate cache of connections (seed: CONNECTION cache TTL 5 min) for hot paths that need a connection's
// routing facts but not its secrets: policy evaluation today, the live-session Durable Object later.
// Changes made through this isolate invalidate their entry at once (the store does it on every write);
// other isolates see them within the TTL. One tenant's entries are never another's (lib/tenant-cache.ts).
import { TenantCache } from "../lib/tenant-cache.ts";

export const CONNECTION_CACHE_TTL_MS = 5 * 60 * 1000;
/** Ids are random, so a flood of lookups can only grow the cache this far before old entries go. */
const MAX_ENTRIES = 10_000;

export interface ConnectionRecord {
  id: string;
  organizationId: string;
  name: string;
  type: "ssh" | "rdp" | "vnc" | "telnet";
  hostname: string;
  port: number;
  username: string;
  authMethod: "password" | "ssh_key" | "certificate";
  sshKeyId: string | null;
  agentId: string | null;
  hostKey: string | null;
  environment: "production" | "staging" | "development" | "test";
  status: "active" | "inactive" | "archived";
  createdByUserId: string;
}

const cache = new TenantCache<ConnectionRecord | null>({
  ttlMs: CONNECTION_CACHE_TTL_MS,
  maxEntries: MAX_ENTRIES,
});

export function invalidateConnection(organizationId: string, id: string): void {
  cache.invalidate(organizationId, id);
}

/** The cached record, or `load()`'s (a miss — null — is not cached). */
export function cachedConnection(
  organizationId: string,
  id: string,
  load: () => Promise<ConnectionRecord | null>,
): Promise<ConnectionRecord | null> {
  return cache.get(organizationId, id, load, (record) => record !== null);
}
