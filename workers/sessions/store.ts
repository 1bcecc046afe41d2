// Every statement the API runs on session, session_viewer and (for exec) command rows, scoped to one
// tenant by construction: the writer the routes use (live sessions here, one-shot exec in
// workers/routes/exec). The SessionRoom object writes the live state of its own session (status,
// counters, recording, viewers leaving) from workers/session-room. The public id (`ssh-1`, `exec-2`) is
// allocated in one place, publicIdInsert(), for both kinds of session.
import { count, desc, eq, inArray, isNull, like, ne, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { command } from "../../db/schema/tenant/command.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import { session } from "../../db/schema/tenant/session.ts";
import { sessionViewer } from "../../db/schema/tenant/session-viewer.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { connectionStore } from "../connections/store.ts";
import { type PageQuery, pageOffset } from "../contract/schemas.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { type Scoped, scoped } from "../tenancy/scoped.ts";
import { publicIdPatterns, type SessionType } from "./kind.ts";
import type { SessionQuery } from "./schemas.ts";

export type SessionRow = typeof session.$inferSelect;
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type NewSession = Omit<typeof session.$inferInsert, "sessionId" | "organizationId">;
type NewCommand = Omit<typeof command.$inferInsert, "sessionId" | "organizationId">;
type ViewerRights = Pick<typeof sessionViewer.$inferInsert, "role" | "canType" | "isActive" | "canShare">;

const ATTEMPTS = 5;

/**
 * Inserts a session under the next public id of its prefix in the organization (`ssh-1`, `ssh-2`…). The
 * unique index decides a race; the loser retries with the next number inside a savepoint, so a lost race
 * never aborts the caller's transaction.
 */
async function publicIdInsert(tx: Tx, own: Scoped, values: NewSession, prefix: string): Promise<SessionRow> {
  for (let attempt = 1; ; attempt++) {
    const [next] = await tx
      .select({
        n: sql<number>`coalesce(max((regexp_replace(${session.sessionId}, '^[a-z]+-', ''))::int), 0) + 1`,
      })
      .from(session)
      .where(own.where(sql`${session.sessionId} like ${`${prefix}-%`}`));
    try {
      const [row] = await tx.transaction((sp) =>
        sp
          .insert(session)
          .values(own.values({ ...values, sessionId: `${prefix}-${next?.n ?? 1}` }))
          .returning(),
      );
      if (row) return row;
    } catch (err) {
      if (attempt >= ATTEMPTS) throw err;
    }
  }
}

export type ViewerRow = { viewer: typeof sessionViewer.$inferSelect; name: string };

export function sessionStore(ctx: TenantContext) {
  const own = scoped(ctx, session);
  const viewers = scoped(ctx, sessionViewer);
  const commands = scoped(ctx, command);
  const conns = scoped(ctx, connection);
  const users = scoped(ctx, user);
  const db = ctx.db;
  return {
    async find(id: string): Promise<SessionRow | undefined> {
      const [s] = await db
        .select()
        .from(session)
        .where(own.where(eq(session.id, id)));
      return s;
    },

    async list(q: SessionQuery) {
      const where = own.where(
        q.status ? eq(session.status, q.status) : undefined,
        q.type ? or(...publicIdPatterns(q.type).map((p) => like(session.sessionId, p))) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(session)
          .where(where)
          .orderBy(desc(session.startedAt), desc(session.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(session).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** Live sessions a login started (the kill switch ends them). */
    liveOfLogin(loginId: string) {
      return db
        .select({ id: session.id, publicId: session.sessionId })
        .from(session)
        .where(
          own.where(eq(session.loginSessionId, loginId), inArray(session.status, ["active", "disconnected"])),
        );
    },

    /**
     * The live sessions (active, or waiting for their agent) newest first, with their connection and owner
     * and how many people are joined now: the Command Center's sweep of every tenant reads the first `limit`.
     */
    async live(q: { type?: SessionType | undefined; limit: number }) {
      const where = own.where(
        inArray(session.status, ["active", "disconnected"]),
        q.type ? or(...publicIdPatterns(q.type).map((p) => like(session.sessionId, p))) : undefined,
      );
      const joined = db
        .select({ n: count() })
        .from(sessionViewer)
        .where(viewers.where(eq(sessionViewer.sessionId, session.id), eq(sessionViewer.isActive, true)));
      const [rows, [total]] = await Promise.all([
        db
          .select({
            id: session.id,
            publicId: session.sessionId,
            status: session.status,
            startedAt: session.startedAt,
            connectionName: connection.name,
            host: connection.hostname,
            port: connection.port,
            ownerEmail: user.email,
            participants: sql<number>`(${joined})::int`,
          })
          .from(session)
          .innerJoin(connection, eq(connection.id, session.connectionId))
          .innerJoin(user, eq(user.id, session.initiatedByUserId))
          .where(where)
          .orderBy(desc(session.startedAt), desc(session.id))
          .limit(q.limit),
        db.select({ n: count() }).from(session).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** What a session start needs of its connection (null when it does not exist or was deleted). */
    async connectionForStart(id: string) {
      const [c] = await db
        .select({
          id: connection.id,
          agentId: connection.agentId,
          type: connection.type,
          hostname: connection.hostname,
          port: connection.port,
          status: connection.status,
          tags: connection.tags,
        })
        .from(connection)
        .where(conns.where(eq(connection.id, id), isNull(connection.deletedAt)));
      return c ?? null;
    },

    /** A live session, its owner's viewer row and the connection's counters: all or nothing. */
    createLive(values: NewSession, prefix: string): Promise<SessionRow> {
      return db.transaction(async (tx) => {
        const s = await publicIdInsert(tx, own, values, prefix);
        await tx.insert(sessionViewer).values(
          viewers.values({
            sessionId: s.id,
            userId: s.initiatedByUserId,
            role: "owner" as const,
            isActive: false,
            canType: true,
            canSee: true,
            canShare: true,
          }),
        );
        await connectionStore({ tenant: ctx.tenant, db: tx }).markUsed(s.connectionId, { newSession: true });
        return s;
      });
    },

    async viewerOf(sessionId: string, userId: string) {
      const [v] = await db
        .select()
        .from(sessionViewer)
        .where(viewers.where(eq(sessionViewer.sessionId, sessionId), eq(sessionViewer.userId, userId)));
      return v;
    },

    async viewers(sessionId: string, q: PageQuery) {
      const where = viewers.where(eq(sessionViewer.sessionId, sessionId));
      const [rows, [total]] = await Promise.all([
        db
          .select({ viewer: sessionViewer, name: user.name })
          .from(sessionViewer)
          .innerJoin(user, eq(user.id, sessionViewer.userId))
          .where(where)
          .orderBy(sessionViewer.joinedAt, sessionViewer.id)
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(sessionViewer).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** The live sessions `userId` was invited to and has not joined: their participant row (not the
     * owner's) was never active and never left; with the session and its owner's name. */
    async invitationsOf(userId: string, q: PageQuery) {
      const where = viewers.where(
        eq(sessionViewer.userId, userId),
        ne(sessionViewer.role, "owner"),
        eq(sessionViewer.isActive, false),
        isNull(sessionViewer.leftAt),
        inArray(session.status, ["active", "disconnected"]),
      );
      const [rows, [total]] = await Promise.all([
        db
          .select({ viewer: sessionViewer, session, ownerName: user.name })
          .from(sessionViewer)
          .innerJoin(session, eq(session.id, sessionViewer.sessionId))
          .innerJoin(user, eq(user.id, session.initiatedByUserId))
          .where(where)
          .orderBy(desc(sessionViewer.joinedAt), desc(sessionViewer.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db
          .select({ n: count() })
          .from(sessionViewer)
          .innerJoin(session, eq(session.id, sessionViewer.sessionId))
          .where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** A live (not deleted) user of the organization, for an invitation. */
    async invitee(id: string) {
      const [u] = await db
        .select({ id: user.id, email: user.email })
        .from(user)
        .where(users.where(eq(user.id, id), isNull(user.deletedAt)));
      return u;
    },

    /** Makes `userId` a participant with these rights (one row per user and session). */
    async setParticipant(sessionId: string, userId: string, rights: ViewerRights): Promise<void> {
      const mine = viewers.where(eq(sessionViewer.sessionId, sessionId), eq(sessionViewer.userId, userId));
      const updated = await db
        .update(sessionViewer)
        .set({ role: rights.role, canType: rights.canType })
        .where(mine)
        .returning({ id: sessionViewer.id });
      if (updated.length > 0) return;
      await db.insert(sessionViewer).values(viewers.values({ sessionId, userId, canSee: true, ...rights }));
    },

    /** Marks a viewer joined now: its existing row, or a new one; answers the row's id. */
    async join(sessionId: string, userId: string, rowId: string | null, rights: ViewerRights) {
      if (rowId) {
        await db
          .update(sessionViewer)
          .set({ isActive: true, leftAt: null, joinedAt: new Date() })
          .where(viewers.where(eq(sessionViewer.id, rowId)));
        return rowId;
      }
      const [row] = await db
        .insert(sessionViewer)
        .values(viewers.values({ sessionId, userId, canSee: true, ...rights }))
        .returning({ id: sessionViewer.id });
      return row?.id ?? null;
    },

    /**
     * An exec session (already ended) and its one command row, written together before the command runs:
     * a command that reached a shell is always on record.
     */
    createExec(values: NewSession, cmd: NewCommand) {
      return db.transaction(async (tx) => {
        const s = await publicIdInsert(tx, own, values, "exec");
        const [row] = await tx
          .insert(command)
          .values(commands.values({ ...cmd, sessionId: s.id }))
          .returning({ id: command.id });
        if (!row) throw new Error("command insert returned nothing");
        return { sessionId: s.id, commandId: row.id };
      });
    },

    /** The exec's outcome on its command, session and connection rows. */
    finishExec(
      ids: { sessionId: string; commandId: string; connectionId: string },
      outcome: Partial<NewCommand>,
      durationMs: number,
    ) {
      return db.transaction(async (tx) => {
        await tx
          .update(command)
          .set(outcome)
          .where(commands.where(eq(command.id, ids.commandId)));
        await tx
          .update(session)
          .set({ safeCommands: 1, endedAt: new Date(), durationSeconds: Math.round(durationMs / 1000) })
          .where(own.where(eq(session.id, ids.sessionId)));
        await connectionStore({ tenant: ctx.tenant, db: tx }).markUsed(ids.connectionId, {
          newSession: false,
        });
      });
    },

    /** An exec that never reached the agent leaves no session behind (its command row cascades). */
    async discard(sessionId: string): Promise<void> {
      await db.delete(session).where(own.where(eq(session.id, sessionId)));
    },
  };
}
