// Read-through caches of the seed's hot reads (USER 1 h, CONNECTION 5 min, POLICY 15 min, ROLE 1 h), one
// shape for all: in-isolate, keyed by tenant, bounded (LRU), with a TTL, invalidated by the writer.
//
// Why in-isolate memory and not the Workers Cache API: what is cached is a few small records read on every
// request (the principal's user and role, a connection's routing facts) where a Cache API lookup would cost
// a serialisation and a storage round trip of its own, and the Cache API cannot be invalidated everywhere
// either (a delete reaches one data centre). Memory costs nothing to read and an invalidation in the
// writing isolate is immediate. The bound on stale reads: an isolate that did not make the change serves
// the old value for at most the entry's TTL (the seed's figures); docs/data-lifecycle.md says per cache
// what that means and which changes end logins instead of waiting for it.
//
// Never across tenants, by construction: every read and invalidation names the tenant, entries live in one
// map per tenant, and no call reaches an entry without its tenant's id. A load that began before an
// invalidation of its tenant does not store its (possibly stale) result.

export interface TenantCacheOptions {
  ttlMs: number;
  /** Entries across all tenants; past it the least recently used go. */
  maxEntries?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

interface Entry<V> {
  at: number;
  value: V;
}

export class TenantCache<V> {
  readonly #tenants = new Map<string, Map<string, Entry<V>>>();
  /** Bumped by every invalidation of a tenant (or of everything). */
  readonly #generation = new Map<string, number>();
  #everything = 0;
  #size = 0;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: TenantCacheOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.maxEntries ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#size;
  }

  /** The tenant's cached value for `key`, or `load()`'s, stored unless `cache(value)` says not to. */
  async get(
    tenantId: string,
    key: string,
    load: () => Promise<V>,
    cache: (value: V) => boolean = () => true,
  ): Promise<V> {
    const own = this.#tenants.get(tenantId);
    const hit = own?.get(key);
    if (hit && this.#now() - hit.at < this.#ttlMs) {
      // Most recently used goes last.
      own?.delete(key);
      own?.set(key, hit);
      this.#touch(tenantId, own);
      return hit.value;
    }
    const gen = this.#gen(tenantId);
    const value = await load();
    if (this.#gen(tenantId) === gen && cache(value)) this.#store(tenantId, key, value);
    else this.#remove(tenantId, key);
    return value;
  }

  /** Forgets one key of the tenant, or all of the tenant's entries. */
  invalidate(tenantId: string, key?: string): void {
    this.#generation.set(tenantId, (this.#generation.get(tenantId) ?? 0) + 1);
    if (key === undefined) {
      this.#size -= this.#tenants.get(tenantId)?.size ?? 0;
      this.#tenants.delete(tenantId);
    } else this.#remove(tenantId, key);
  }

  /** Forgets everything (a change that concerns every tenant). */
  clear(): void {
    this.#everything += 1;
    this.#tenants.clear();
    this.#size = 0;
  }

  #gen(tenantId: string): string {
    return `${this.#everything}.${this.#generation.get(tenantId) ?? 0}`;
  }

  #remove(tenantId: string, key: string): void {
    const own = this.#tenants.get(tenantId);
    if (own?.delete(key)) this.#size -= 1;
    if (own && own.size === 0) this.#tenants.delete(tenantId);
  }

  #store(tenantId: string, key: string, value: V): void {
    let own = this.#tenants.get(tenantId);
    if (!own) {
      own = new Map();
      this.#tenants.set(tenantId, own);
    }
    if (own.delete(key)) this.#size -= 1;
    own.set(key, { at: this.#now(), value });
    this.#size += 1;
    this.#touch(tenantId, own);
    while (this.#size > this.#max) this.#evictOldest();
  }

  /** The tenant map order is the LRU order between tenants: the one used last goes last. */
  #touch(tenantId: string, own: Map<string, Entry<V>> | undefined): void {
    if (!own) return;
    this.#tenants.delete(tenantId);
    this.#tenants.set(tenantId, own);
  }

  #evictOldest(): void {
    const first = this.#tenants.entries().next().value;
    if (!first) return;
    const [tenantId, own] = first;
    const oldest = own.keys().next().value;
    if (oldest !== undefined) this.#remove(tenantId, oldest);
    else this.#tenants.delete(tenantId);
  }
}
