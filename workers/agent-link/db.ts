// The AgentLink's database access: one small pool per object, opened on first use and reused for every
// frame (a Durable Object's I/O outlives the event that opened it), instead of a pool per heartbeat —
// 10,000 heartbeats used to open 10,000 pools and starve every tenant's requests. A failed statement
// drops the pool (the next use opens a fresh one), so a PostgreSQL restart or a dropped relay socket
// heals by itself. The tenant's own database (dedicated tenants) is held the same way.
import { configureNeon, createDb, type Db } from "../../db/client.ts";
import type { Bindings } from "../env.ts";
import { connectionString, tenantDbConfig } from "../tenancy/connection-manager.ts";
import { findTenant, type TenantRecord } from "../tenancy/tenant-record.ts";

type Handle = ReturnType<typeof createDb>;

/** Few connections: one agent's writes are serialised and coalesced; idle ones close after a minute. */
const POOL = { max: 2, idleTimeoutMillis: 60_000 };

export class LinkDb {
  #control: Handle | null = null;
  #dedicated: { tenantId: string; handle: Handle } | null = null;

  constructor(private readonly env: Bindings) {}

  /** Runs on the control-plane database. */
  async control<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const handle = this.#openControl();
    try {
      return await fn(handle.db);
    } catch (err) {
      this.#drop(handle);
      throw err;
    }
  }

  /** Runs on the tenant's database (the pooled one, or its dedicated PostgreSQL). */
  async tenant<T>(tenantId: string, fn: (db: Db, tenant: TenantRecord) => Promise<T>): Promise<T> {
    const control = this.#openControl();
    let used: Handle = control;
    try {
      const tenant = await findTenant(control.db, tenantId);
      if (!tenant) throw new Error(`tenant ${tenantId} not found`);
      if (tenant.dbMode === "dedicated" && tenant.driverType === "postgresql") {
        used = await this.#openDedicated(tenant);
      }
      return await fn(used.db, tenant);
    } catch (err) {
      this.#drop(used);
      throw err;
    }
  }

  /** Closes every pool (the link is gone for good). */
  close(): void {
    if (this.#control) this.#drop(this.#control);
    if (this.#dedicated) this.#drop(this.#dedicated.handle);
  }

  #openControl(): Handle {
    if (!this.#control) {
      configureNeon(this.env.NEON_WS_PROXY);
      this.#control = createDb(this.env.DATABASE_URL, POOL);
    }
    return this.#control;
  }

  async #openDedicated(tenant: TenantRecord): Promise<Handle> {
    if (this.#dedicated?.tenantId === tenant.id) return this.#dedicated.handle;
    const cfg = await tenantDbConfig(this.env, tenant);
    if (!cfg) return this.#openControl();
    const handle = createDb(connectionString(cfg.reveal()), POOL);
    if (this.#dedicated) this.#drop(this.#dedicated.handle);
    this.#dedicated = { tenantId: tenant.id, handle };
    return handle;
  }

  #drop(handle: Handle): void {
    if (this.#control === handle) this.#control = null;
    if (this.#dedicated?.handle === handle) this.#dedicated = null;
    void handle.pool.end().catch(() => {});
  }
}
