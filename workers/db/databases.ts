// One way to open a database. Every PostgreSQL pool of the Worker is made here, for one of two lifetimes:
// - a request (`Databases.forRequest`, through middleware/database.ts): the control database (also the
//   pooled tenant database) and any dedicated tenant database the request touches, each opened on first
//   use (the driver connects lazily: a route that never queries opens no socket) and all closed after the
//   response — a stateless Worker may not share I/O objects across requests;
// - a Durable Object (`Databases.forObject`): the same pools held for the object's life and reused by every
//   event (a Durable Object's I/O outlives the event that opened it). Few connections, idle ones closed
//   after a minute; a failed statement drops its pool, so a PostgreSQL restart or a dropped relay socket
//   heals by itself on the next use. AgentLink used to open a pool per heartbeat and SessionRoom one per
//   queued command write (a control pool and, for a dedicated tenant, a second one).
// A dedicated tenant's credentials are decrypted by the Connection Manager on open and live only inside
// the pool. Scheduled jobs and one-off work use `withDatabases` (request lifetime around a function).
import { configureNeon, createDb, type Db } from "../../db/client.ts";
import { connectionString, type TenantDbEnv, tenantDbConfig } from "../tenancy/connection-manager.ts";
import { findTenant, type TenantRecord } from "../tenancy/tenant-record.ts";

type Handle = ReturnType<typeof createDb>;
export type DatabasesEnv = TenantDbEnv & Pick<Cloudflare.Env, "DATABASE_URL" | "NEON_WS_PROXY">;

interface Lifetime {
  pool: { max: number; idleTimeoutMillis?: number };
  /** Long-lived pools are dropped after a failed statement; a request's die with the request anyway. */
  dropOnError: boolean;
}

const REQUEST: Lifetime = { pool: { max: 4 }, dropOnError: false };
/** One object's writes are serialised and coalesced: two connections are plenty. */
const OBJECT: Lifetime = { pool: { max: 2, idleTimeoutMillis: 60_000 }, dropOnError: true };

export class Databases {
  #control: Handle | null = null;
  /** Dedicated tenant databases by tenant id; a promise, so concurrent first uses open one pool. */
  readonly #dedicated = new Map<string, Promise<Handle | null>>();
  readonly #handleTenant = new Map<Handle, string>();

  private constructor(
    private readonly env: DatabasesEnv,
    private readonly lifetime: Lifetime,
  ) {}

  static forRequest(env: DatabasesEnv): Databases {
    return new Databases(env, REQUEST);
  }

  static forObject(env: DatabasesEnv): Databases {
    return new Databases(env, OBJECT);
  }

  /** The control-plane database (also the pooled tenant database), opened on first use. */
  get controlDb(): Db {
    return this.#openControl().db;
  }

  /** The database holding the tenant's data: the pooled one, or its dedicated PostgreSQL. */
  async tenantDb(tenant: TenantRecord): Promise<Db> {
    return (await this.#tenantHandle(tenant)).db;
  }

  /** Runs fn on the control-plane database. */
  async control<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const handle = this.#openControl();
    try {
      return await fn(handle.db);
    } catch (err) {
      this.#failed(handle);
      throw err;
    }
  }

  /** Looks the tenant up on the control plane, then runs fn on the tenant's database. */
  async tenant<T>(
    tenantId: string,
    fn: (db: Db, tenant: TenantRecord, control: Db) => Promise<T>,
  ): Promise<T> {
    const control = this.#openControl();
    let used = control;
    try {
      const tenant = await findTenant(control.db, tenantId);
      if (!tenant) throw new Error(`tenant ${tenantId} not found`);
      used = await this.#tenantHandle(tenant);
      return await fn(used.db, tenant, control.db);
    } catch (err) {
      this.#failed(used);
      throw err;
    }
  }

  /** Closes every pool; a later use opens fresh ones. */
  async close(): Promise<void> {
    const handles: (Handle | null)[] = [this.#control, ...(await Promise.all(this.#dedicated.values()))];
    this.#control = null;
    this.#dedicated.clear();
    this.#handleTenant.clear();
    await Promise.all(handles.map((h) => h?.pool.end().catch(() => {})));
  }

  #openControl(): Handle {
    if (!this.#control) this.#control = this.#open(this.env.DATABASE_URL);
    return this.#control;
  }

  async #tenantHandle(tenant: TenantRecord): Promise<Handle> {
    if (tenant.dbMode !== "dedicated" || tenant.driverType !== "postgresql") return this.#openControl();
    let p = this.#dedicated.get(tenant.id);
    if (!p) {
      p = tenantDbConfig(this.env, tenant).then((cfg) =>
        cfg ? this.#openDedicated(tenant.id, connectionString(cfg.reveal())) : null,
      );
      this.#dedicated.set(tenant.id, p);
    }
    try {
      return (await p) ?? this.#openControl();
    } catch (err) {
      if (this.#dedicated.get(tenant.id) === p) this.#dedicated.delete(tenant.id);
      throw err;
    }
  }

  #openDedicated(tenantId: string, url: string): Handle {
    const handle = this.#open(url);
    this.#handleTenant.set(handle, tenantId);
    return handle;
  }

  #open(url: string): Handle {
    configureNeon(this.env.NEON_WS_PROXY);
    return createDb(url, this.lifetime.pool);
  }

  #failed(handle: Handle): void {
    if (!this.lifetime.dropOnError) return;
    if (this.#control === handle) this.#control = null;
    const tenantId = this.#handleTenant.get(handle);
    if (tenantId !== undefined) {
      this.#dedicated.delete(tenantId);
      this.#handleTenant.delete(handle);
    }
    void handle.pool.end().catch(() => {});
  }
}

/** Request lifetime around one piece of work outside a request (scheduled jobs): opened, run, closed. */
export async function withDatabases<T>(env: DatabasesEnv, fn: (dbs: Databases) => Promise<T>): Promise<T> {
  const dbs = Databases.forRequest(env);
  try {
    return await fn(dbs);
  } finally {
    await dbs.close();
  }
}

/** A database named by address rather than by tenant — provisioning checks, creates and migrates a
 * dedicated database before its credentials are stored. Opened for fn and closed after it; called inside
 * a request, whose Databases configured the driver. */
export async function withDatabaseAt<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const { db, pool } = createDb(url);
  try {
    return await fn(db);
  } finally {
    await pool.end().catch(() => {});
  }
}
