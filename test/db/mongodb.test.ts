// The MongoDB adapter of GET /api/tenant/data against a real MongoDB server. No MongoDB server can be
// installed on the machines this project is built on, so this runs only where MONGODB_URL is set
// (e.g. MONGODB_URL=mongodb://user:pass@127.0.0.1:27017).
import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { mongoAdapter } from "../../workers/tenancy/adapters/mongodb.ts";

const url = process.env.MONGODB_URL;

describe.skipIf(!url)("MongoDB adapter (needs MONGODB_URL)", () => {
  it("lists collections and reads a page of documents", async () => {
    const database = `nostromo_test_${Date.now()}`;
    const client = new MongoClient(url as string);
    await client.connect();
    try {
      await client
        .db(database)
        .collection("ventas")
        .insertMany(Array.from({ length: 5 }, (_, i) => ({ n: i })));
      const adapter = mongoAdapter(url as string, database);
      try {
        await adapter.ping();
        expect(await adapter.listTables()).toEqual(["ventas"]);
        const page = await adapter.read("ventas", { limit: 2, offset: 1 });
        expect(page.total).toBe(5);
        expect(page.rows.map((r) => r.n)).toEqual([1, 2]);
        await expect(adapter.read("missing", { limit: 1, offset: 0 })).rejects.toThrow(
          /No readable collection/,
        );
      } finally {
        await adapter.close();
      }
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
