// Connection Manager: the only place where tenant secrets exist in plain form. It unwraps a tenant's data
// key with the master key (DB_ENCRYPTION_KEY, or DB_ENCRYPTION_KEY_PREVIOUS during a rotation), encrypts
// and decrypts tenant secrets with it, and turns a dedicated tenant's encrypted database configuration
// into a connection string for the one module that opens databases (workers/db/databases.ts).
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
import type { TenantRecord } from "./tenant-record.ts";

/** The master keys: all the Connection Manager needs from the environment. */
export type TenantDbEnv = Pick<Cloudflare.Env, "DB_ENCRYPTION_KEY" | "DB_ENCRYPTION_KEY_PREVIOUS">;

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

export async function masterKeys(env: TenantDbEnv) {
  const keys = [await master(env.DB_ENCRYPTION_KEY)];
  if (env.DB_ENCRYPTION_KEY_PREVIOUS) keys.push(await master(env.DB_ENCRYPTION_KEY_PREVIOUS));
  return keys;
}

export async function currentMasterKey(env: Pick<TenantDbEnv, "DB_ENCRYPTION_KEY">): Promise<MasterKey> {
  return master(env.DB_ENCRYPTION_KEY);
}

export async function createTenantDataKey(env: Pick<TenantDbEnv, "DB_ENCRYPTION_KEY">) {
  const m = await currentMasterKey(env);
  const { dataKey, wrapped } = await newDataKey(m);
  return { dataKey, wrapped, masterKeyId: m.id };
}

export async function tenantDataKey(env: TenantDbEnv, wrapped: string): Promise<DataKey> {
  let p = dataKeyCache.get(wrapped);
  if (!p) {
    p = masterKeys(env).then((keys) => unwrapDataKey(keys, wrapped));
    p.catch(() => dataKeyCache.delete(wrapped));
    dataKeyCache.set(wrapped, p);
  }
  return p;
}

export async function encryptForTenant(
  env: TenantDbEnv,
  tenant: Pick<TenantRecord, "dataKeyWrapped">,
  plaintext: string,
) {
  return encryptString(await tenantDataKey(env, tenant.dataKeyWrapped), plaintext);
}

export async function decryptForTenant(
  env: TenantDbEnv,
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

export async function tenantDbConfig(
  env: TenantDbEnv,
  tenant: TenantRecord,
): Promise<Secret<DbConfig> | null> {
  if (!tenant.dbConfigEncrypted) return null;
  const plain = await decryptForTenant(env, tenant, tenant.dbConfigEncrypted);
  return new Secret(JSON.parse(plain.reveal()) as DbConfig);
}
