// Master-key rotation re-wraps every tenant data key; data encrypted before still decrypts after, with
// the new master key only.

import {
  DecryptError,
  decryptString,
  encryptString,
  loadMasterKey,
  newDataKey,
  unwrapDataKey,
} from "@nostromo/crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dropDatabase, ensureDatabase, migratePlatform, nodeDb } from "../../db/node.ts";
import { rewrapAll } from "../../db/rewrap.ts";
import { tenants } from "../../db/schema/control/tenants.ts";

const OLD = "old-master-key-0123456789-0123456789-abcdef";
const NEW = "new-master-key-9876543210-9876543210-fedcba";
const name = `rewrap_${process.pid}_${Date.now()}`;
let handle: ReturnType<typeof nodeDb>;

beforeAll(async () => {
  const admin = inject("pgAdminUrl");
  await ensureDatabase(admin, name);
  const url = admin.replace(/\/postgres$/, `/${name}`);
  await migratePlatform(url);
  handle = nodeDb(url);
});
afterAll(async () => {
  await handle.pool.end();
  await dropDatabase(inject("pgAdminUrl"), name);
});

describe("rewrapAll", () => {
  it("moves every tenant to the new master key without re-encrypting tenant data", async () => {
    const old = await loadMasterKey(OLD);
    const secrets: { id: string; ciphertext: string; plain: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const { dataKey, wrapped } = await newDataKey(old);
      const plain = `db-password-${i}`;
      const [t] = await handle.db
        .insert(tenants)
        .values({
          companyName: `R${i}`,
          subdomain: `${name}-${i}`,
          dataKeyWrapped: wrapped,
          masterKeyId: old.id,
          status: "active",
        })
        .returning({ id: tenants.id });
      secrets.push({ id: t?.id ?? "", ciphertext: await encryptString(dataKey, plain), plain });
    }
    const r = await rewrapAll(handle.db, OLD, NEW);
    expect(r.rewrapped).toBe(3);
    const fresh = await loadMasterKey(NEW);
    for (const s of secrets) {
      const [row] = await handle.db.select().from(tenants).where(eq(tenants.id, s.id));
      expect(row?.masterKeyId).toBe(fresh.id);
      const dk = await unwrapDataKey([fresh], row?.dataKeyWrapped ?? "");
      expect(await decryptString(dk, s.ciphertext)).toBe(s.plain);
      await expect(unwrapDataKey([old], row?.dataKeyWrapped ?? "")).rejects.toBeInstanceOf(DecryptError);
    }
    expect((await rewrapAll(handle.db, OLD, NEW)).already).toBe(3);
  });
});
