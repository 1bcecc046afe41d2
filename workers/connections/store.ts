// The connection table's one writer: every statement that reads or changes a connection goes through here,
// scoped to one tenant by construction — the routes, the exec path, the session start (its counters) and the
// live session (its first-use host-key pin). Writes invalidate this isolate's cached copy (cache.ts).
import { asc, count, eq, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import type { NeonQueryResultHKT } from "drizzle-orm/neon-serverless";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { Schema } from "../../db/client.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import { organization } from "../../db/schema/tenant/organization.ts";
import { pageOffset } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { containsPattern } from "../lib/like.ts";
import { scoped } from "../tenancy/scoped.ts";
import { type ConnectionRecord, invalidateConnection } from "./cache.ts";
import type { ListQuery } from "./schemas.ts";

/** A database or a transaction: the session start bumps the counters inside its own transaction. */
export type Queryable = PgDatabase<NeonQueryResultHKT, Schema>;

/** What a store needs: the tenant it serves and the database (or transaction) to use. */
export interface StoreContext {
  tenant: { id: string };
  db: Queryable;
}

const publicColumns = {
  id: connection.id,
  name: connection.name,
  type: connection.type,
  hostname: connection.hostname,
  port: connection.port,
  username: connection.username,
  authMethod: connection.authMethod,
  hasPassword: sql<boolean>`${connection.passwordEncrypted} is not null`,
  sshKeyId: connection.sshKeyId,
  hasCertificate: sql<boolean>`${connection.certificate} is not null`,
  description: connection.description,
  tags: connection.tags,
  environment: connection.environment,
  createdByUserId: connection.createdByUserId,
  agentId: connection.agentId,
  hostKey: connection.hostKey,
  status: connection.status,
  lastUsed: connection.lastUsed,
  totalSessions: connection.totalSessions,
  createdAt: connection.createdAt,
  updatedAt: connection.updatedAt,
};

/** The routing facts hot paths need (policy scoping, the cache), no secrets. */
const recordColumns = {
  id: connection.id,
  organizationId: connection.organizationId,
  name: connection.name,
  type: connection.type,
  hostname: connection.hostname,
  port: connection.port,
  username: connection.username,
  authMethod: connection.authMethod,
  sshKeyId: connection.sshKeyId,
  agentId: connection.agentId,
  hostKey: connection.hostKey,
  environment: connection.environment,
  status: connection.status,
  createdByUserId: connection.createdByUserId,
};

export type ConnectionInsert = Omit<typeof connection.$inferInsert, "organizationId" | "id">;
export type ConnectionChanges = Partial<ConnectionInsert>;

export function connectionStore(ctx: StoreContext) {
  const own = scoped(ctx, connection);
  const db = ctx.db;
  const live = (id: string) => own.where(eq(connection.id, id), isNull(connection.deletedAt));
  const forget = (id: string) => invalidateConnection(ctx.tenant.id, id);

  return {
    async list(q: ListQuery) {
      const where = own.where(
        isNull(connection.deletedAt),
        q.type ? eq(connection.type, q.type) : undefined,
        q.status ? eq(connection.status, q.status) : undefined,
        q.environment ? eq(connection.environment, q.environment) : undefined,
        q.tag ? sql`${q.tag} = any(${connection.tags})` : undefined,
        q.search ? matching(q.search) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select(publicColumns)
          .from(connection)
          .where(where)
          .orderBy(asc(connection.name), asc(connection.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(connection).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async find(id: string) {
      const [row] = await db.select(publicColumns).from(connection).where(live(id));
      return row ?? null;
    },

    /** The full row, secrets (still encrypted) included: for the service's merge and the test checks. */
    async findFull(id: string) {
      const [row] = await db.select().from(connection).where(live(id));
      return row ?? null;
    },

    async record(id: string): Promise<ConnectionRecord | null> {
      const [row] = await db.select(recordColumns).from(connection).where(live(id));
      return row ?? null;
    },

    /** Live connections using an SSH key (a key in use cannot be deleted). */
    async usingKey(sshKeyId: string): Promise<string[]> {
      const rows = await db
        .select({ id: connection.id })
        .from(connection)
        .where(own.where(eq(connection.sshKeyId, sshKeyId), isNull(connection.deletedAt)));
      return rows.map((r) => r.id);
    },

    /**
     * Inserts within the plan's max_connections: the organization row is the lock that keeps concurrent
     * creations from overshooting it. PLAN_LIMIT when the plan is full.
     */
    async createWithinPlan(values: ConnectionInsert): Promise<string> {
      return db.transaction(async (tx) => {
        const [org] = await tx
          .select({ max: organization.maxConnections })
          .from(organization)
          .where(eq(organization.id, ctx.tenant.id))
          .for("update");
        const [used] = await tx
          .select({ n: count() })
          .from(connection)
          .where(own.where(isNull(connection.deletedAt)));
        const max = org?.max ?? 0;
        if ((used?.n ?? 0) >= max) {
          throw new ApiError("PLAN_LIMIT", `Your plan allows at most ${max} connections`, {
            limit: "max_connections",
            max,
          });
        }
        const [row] = await tx.insert(connection).values(own.values(values)).returning({ id: connection.id });
        if (!row) throw new Error("connection insert returned nothing");
        return row.id;
      });
    },

    async update(id: string, set: ConnectionChanges): Promise<void> {
      await db.update(connection).set(set).where(live(id));
      forget(id);
    },

    async softDelete(id: string): Promise<void> {
      await db.update(connection).set({ deletedAt: new Date() }).where(live(id));
      forget(id);
    },

    /** A session or an exec used the connection: last_used, and total_sessions for a new session. */
    async markUsed(id: string, opts: { newSession: boolean }): Promise<void> {
      await db
        .update(connection)
        .set(
          opts.newSession
            ? { lastUsed: new Date(), totalSessions: sql`${connection.totalSessions} + 1` }
            : { lastUsed: new Date() },
        )
        .where(own.where(eq(connection.id, id)));
    },

    /** Trust on first use: pins the target's host key only while none is pinned. */
    async pinHostKey(id: string, hostKey: string): Promise<void> {
      await db
        .update(connection)
        .set({ hostKey })
        .where(own.where(eq(connection.id, id), sql`${connection.hostKey} is null`));
      forget(id);
    },
  };
}

function matching(search: string): SQL | undefined {
  const p = containsPattern(search);
  return or(ilike(connection.name, p), ilike(connection.hostname, p), ilike(connection.description, p));
}

type ConnectionStore = ReturnType<typeof connectionStore>;
export type PublicRow = NonNullable<Awaited<ReturnType<ConnectionStore["find"]>>>;
