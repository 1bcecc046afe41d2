// TenantCache: a write (invalidation) is seen on the next read, tenant A's entry is never served to tenant B,
// entries expire after their TTL, a load racing an invalidation does not store a stale value, the bound holds.
import { describe, expect, it } from "vitest";
import { TenantCache } from "./tenant-cache.ts";

function counter() {
  let loads = 0;
  return {
    load: (value: string) => async () => {
      loads += 1;
      return value;
    },
    get loads() {
      return loads;
    },
  };
}

describe("TenantCache", () => {
  it("never serves one tenant's entry to another, even under the same key", async () => {
    const cache = new TenantCache<string>({ ttlMs: 60_000 });
    const c = counter();
    expect(await cache.get("tenant-a", "user-1", c.load("A's row"))).toBe("A's row");
    expect(await cache.get("tenant-b", "user-1", c.load("B's row"))).toBe("B's row");
    expect(await cache.get("tenant-a", "user-1", c.load("unused"))).toBe("A's row");
    expect(await cache.get("tenant-b", "user-1", c.load("unused"))).toBe("B's row");
    expect(c.loads).toBe(2);
    cache.invalidate("tenant-a");
    expect(await cache.get("tenant-b", "user-1", c.load("unused"))).toBe("B's row");
    expect(await cache.get("tenant-a", "user-1", c.load("A's new row"))).toBe("A's new row");
  });

  it("reads through once, then serves from memory until invalidated: the write is seen next read", async () => {
    const cache = new TenantCache<string>({ ttlMs: 60_000 });
    const c = counter();
    await cache.get("t", "k", c.load("v1"));
    expect(await cache.get("t", "k", c.load("unused"))).toBe("v1");
    cache.invalidate("t", "k");
    expect(await cache.get("t", "k", c.load("v2"))).toBe("v2");
    expect(c.loads).toBe(2);
  });

  it("expires an entry after its TTL", async () => {
    let now = 1_000;
    const cache = new TenantCache<string>({ ttlMs: 100, now: () => now });
    await cache.get("t", "k", async () => "old");
    now += 99;
    expect(await cache.get("t", "k", async () => "new")).toBe("old");
    now += 1;
    expect(await cache.get("t", "k", async () => "new")).toBe("new");
  });

  it("does not store what a load read before an invalidation of its tenant", async () => {
    const cache = new TenantCache<string>({ ttlMs: 60_000 });
    let release: () => void = () => {};
    const slow = cache.get(
      "t",
      "k",
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve("stale");
        }),
    );
    cache.invalidate("t", "k");
    release();
    expect(await slow).toBe("stale");
    expect(await cache.get("t", "k", async () => "fresh")).toBe("fresh");
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("keeps misses out when told, and stays within its bound, least recently used first", async () => {
    const cache = new TenantCache<string | null>({ ttlMs: 60_000, maxEntries: 2 });
    await cache.get(
      "t",
      "missing",
      async () => null,
      (v) => v !== null,
    );
    expect(cache.size).toBe(0);
    await cache.get("a", "1", async () => "a1");
    await cache.get("b", "1", async () => "b1");
    await cache.get("a", "1", async () => "unused");
    await cache.get("c", "1", async () => "c1");
    expect(cache.size).toBe(2);
    expect(await cache.get("a", "1", async () => "reloaded")).toBe("a1");
    expect(await cache.get("b", "1", async () => "reloaded")).toBe("reloaded");
  });
});
