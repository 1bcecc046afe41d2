// MongoDB adapter with the official `mongodb` driver, for tenants whose database driver is MongoDB.
// No MongoDB server can be installed on the machines this project is built on: its tests run only where
// MONGODB_URL is set (see README).
import { MongoClient } from "mongodb";
import { ApiError } from "../../errors.ts";
import type { DbConfig } from "../connection-manager.ts";
import type { ReadPage, TenantDataAdapter } from "./types.ts";

export function mongoUrl(cfg: DbConfig): string {
  const auth = cfg.username ? `${encodeURIComponent(cfg.username)}:${encodeURIComponent(cfg.password)}@` : "";
  return `mongodb://${auth}${cfg.host}:${cfg.port}/${encodeURIComponent(cfg.database)}?authSource=admin`;
}

export function mongoAdapter(url: string, database: string): TenantDataAdapter {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 2 });
  const db = () => client.db(database);
  return {
    driver: "mongodb",
    async ping() {
      await db().command({ ping: 1 });
    },
    async listTables() {
      const cols = await db().listCollections({}, { nameOnly: true }).toArray();
      return cols
        .map((c) => c.name)
        .filter((n) => !n.startsWith("system."))
        .sort();
    },
    async read(table, { limit, offset }): Promise<ReadPage> {
      if (table.startsWith("system.")) throw new ApiError("NOT_FOUND", `No readable collection "${table}"`);
      const names = await this.listTables();
      if (!names.includes(table)) throw new ApiError("NOT_FOUND", `No readable collection "${table}"`);
      const col = db().collection(table);
      const [rows, total] = await Promise.all([
        col.find({}).skip(offset).limit(limit).toArray(),
        col.countDocuments(),
      ]);
      return { rows: rows.map((r) => ({ ...r, _id: String(r._id) })), total };
    },
    async close() {
      await client.close();
    },
  };
}
