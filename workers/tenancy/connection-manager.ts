// Connection Manager: the only place where tenant secrets exist in plain form. It unwraps a tenant's data
// key with the master key (DB_ENCRYPTION_KEY, or DB_ENCRYPTION_KEY_PREVIOUS during a rotation), encrypts
// and decrypts tenant secrets with it, and turns a dedicated tenant's encrypted database configuration
// into a live connection.

import {
  type DataKey,
  decryptString,
  encryptString,
  loadMasterKey,
  type MasterKey,
  newDataKey,
  Secret,
  unwrapDataKey,
} from "@nostromo/crypto";
import type { Context } from "hono";
import { createDb, type Db } from "../../db/client.ts";
import type { AppEnv, Bindings } from "../env.ts";
import type { TenantRecord } from "./tenant-record.ts";

export interface DbConfig {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

const masterCache = new Map<string, Promise<MasterKey>>();
const dataKeyCache = new Map<string, Promise<DataKey>>();

function master(secret: string): Promise<MasterKey> {
  let p = masterCache.get(secret);
  if (!p) {
    p = loadMasterKey(secret);
    masterCache.set(secret, p);
  }
  return p;
}

export async function masterKeys(env: Pick<Bindings, "DB_ENCRYPTION_KEY" | "DB_ENCRYPTION_KEY_PREVIOUS">) {
  const keys = [await master(env.DB_ENCRYPTION_KEY)];
  if (env.DB_ENCRYPTION_KEY_PREVIOUS) keys.push(await master(env.DB_ENCRYPTION_KEY_PREVIOUS));
  return keys;
}

export async function currentMasterKey(env: Pick<Bindings, "DB_ENCRYPTION_KEY">): Promise<MasterKey> {
  return master(env.DB_ENCRYPTION_KEY);
}

export async function createTenantDataKey(env: Pick<Bindings, "DB_ENCRYPTION_KEY">) {
  const m = await currentMasterKey(env);
  const { dataKey, wrapped } = await newDataKey(m);
  return { dataKey, wrapped, masterKeyId: m.id };
}

export async function tenantDataKey(
  env: Pick<Bindings, "DB_ENCRYPTION_KEY" | "DB_ENCRYPTION_KEY_PREVIOUS">,
  wrapped: string,
): Promise<DataKey> {
  let p = dataKeyCache.get(wrapped);
  if (!p) {
    p = masterKeys(env).then((keys) => unwrapDataKey(keys, wrapped));
    p.catch(() => dataKeyCache.delete(wrapped));
    dataKeyCache.set(wrapped, p);
  }
  return p;
}

export async function encryptForTenant(
  env: Bindings,
  tenant: Pick<TenantRecord, "dataKeyWrapped">,
  plaintext: string,
) {
  return encryptString(await tenantDataKey(env, tenant.dataKeyWrapped), plaintext);
}

export async function decryptForTenant(
  env: Bindings,
  tenant: Pick<TenantRecord, "dataKeyWrapped">,
  ciphertext: string,
): Promise<Secret> {
  return new Secret(await decryptString(await tenantDataKey(env, tenant.dataKeyWrapped), ciphertext));
}

export function connectionString(cfg: DbConfig): string {
  const u = encodeURIComponent(cfg.username);
  const p = encodeURIComponent(cfg.password);
  return `postgres://${u}:${p}@${cfg.host}:${cfg.port}/${encodeURIComponent(cfg.database)}`;
}

export async function tenantDbConfig(env: Bindings, tenant: TenantRecord): Promise<Secret<DbConfig> | null> {
  if (!tenant.dbConfigEncrypted) return null;
  const plain = await decryptForTenant(env, tenant, tenant.dbConfigEncrypted);
  return new Secret(JSON.parse(plain.reveal()) as DbConfig);
}

/** The database holding the tenant's remote-access data: the pooled one, or its dedicated PostgreSQL. */
export async function openTenantDb(c: Context<AppEnv>, tenant: TenantRecord): Promise<Db> {
  if (tenant.dbMode === "pooled" || tenant.driverType !== "postgresql") return c.var.db;
  const cfg = await tenantDbConfig(c.env, tenant);
  if (!cfg) return c.var.db;
  const { db, pool } = createDb(connectionString(cfg.reveal()));
  c.var.cleanups.push(() => pool.end());
  return db;
}
