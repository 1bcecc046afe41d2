// The rows one exec writes: an exec-only session (already ended) and its one command, written together
// before the command runs, then the outcome; the connection's last_used through the connection store.
// The same three operations (createExec, finishExec, discard) as the sessions domain's store, which owns
// the session table and its public-id allocation: once both are in one tree, the exec service calls that
// store and this file goes.
import { eq, sql } from "drizzle-orm";
import { command } from "../../db/schema/tenant/command.ts";
import { session } from "../../db/schema/tenant/session.ts";
import { connectionStore } from "../connections/store.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";

type NewSession = Omit<typeof session.$inferInsert, "sessionId" | "organizationId">;
type NewCommand = Omit<typeof command.$inferInsert, "sessionId" | "organizationId">;

export function execStore(ctx: TenantContext) {
  const own = scoped(ctx, session);
  const commands = scoped(ctx, command);
  const db = ctx.db;
  return {
    /** The exec session under the next `exec-N` public id, and its command row: all or nothing. */
    createExec(values: NewSession, cmd: NewCommand) {
      return db.transaction(async (tx) => {
        const [next] = await tx
          .select({
            n: sql<number>`coalesce(max((regexp_replace(${session.sessionId}, '^[a-z]+-', ''))::int), 0) + 1`,
          })
          .from(session)
          .where(own.where(sql`${session.sessionId} like 'exec-%'`));
        const [s] = await tx
          .insert(session)
          .values(own.values({ ...values, sessionId: `exec-${next?.n ?? 1}` }))
          .returning({ id: session.id });
        if (!s) throw new Error("session insert returned nothing");
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
