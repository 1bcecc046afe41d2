// In-isolate cache of connections (seed: CONNECTION cache TTL 5 min) for hot paths that need a connection's
// routing facts but not its secrets: policy evaluation today, the live-session Durable Object later.
// Changes made through this isolate invalidate their entry at once (the store does it on every write);
// other isolates see them within the TTL.

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

const cache = new Map<string, { at: number; record: ConnectionRecord }>();

const key = (organizationId: string, id: string) => `${organizationId}:${id}`;

export function invalidateConnection(organizationId: string, id: string): void {
  cache.delete(key(organizationId, id));
}

/** The cached record, or `load()`'s (a miss — null — is not cached). */
export async function cachedConnection(
  organizationId: string,
  id: string,
  load: () => Promise<ConnectionRecord | null>,
): Promise<ConnectionRecord | null> {
  const k = key(organizationId, id);
  const hit = cache.get(k);
  if (hit && Date.now() - hit.at < CONNECTION_CACHE_TTL_MS) return hit.record;
  const record = await load();
  if (!record) {
    cache.delete(k);
    return null;
  }
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(k, { at: Date.now(), record });
  return record;
}
