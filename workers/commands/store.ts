// The command table's reads for the API and its retention delete, scoped to one tenant by construction (the
// SessionRoom object and the exec route write the rows).
import { count, desc, eq, gte, ilike, inArray, lt, lte } from "drizzle-orm";
import { command } from "../../db/schema/tenant/command.ts";
import { session } from "../../db/schema/tenant/session.ts";
import { pageOffset } from "../contract/schemas.ts";
import { containsPattern } from "../lib/like.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";
import type { CommandQuery } from "./schemas.ts";

export function commandStore(ctx: TenantContext) {
  const own = scoped(ctx, command);
  return {
    async list(q: CommandQuery) {
      const where = own.where(
        q.session_id ? eq(command.sessionId, q.session_id) : undefined,
        q.q ? ilike(command.command, containsPattern(q.q)) : undefined,
        q.user_id ? eq(command.userId, q.user_id) : undefined,
        q.status ? eq(command.status, q.status) : undefined,
        q.risk_level ? eq(command.riskLevel, q.risk_level) : undefined,
        q.from ? gte(command.executedAt, new Date(q.from)) : undefined,
        q.to ? lte(command.executedAt, new Date(q.to)) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        ctx.db
          .select({ command, publicId: session.sessionId })
          .from(command)
          .innerJoin(session, eq(session.id, command.sessionId))
          .where(where)
          .orderBy(desc(command.executedAt), desc(command.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        ctx.db.select({ n: count() }).from(command).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** Deletes up to `limit` commands executed before `before`; how many went. */
    async deleteExecutedBefore(before: Date, limit: number): Promise<number> {
      const batch = ctx.db
        .select({ id: command.id })
        .from(command)
        .where(own.where(lt(command.executedAt, before)))
        .limit(limit);
      const gone = await ctx.db
        .delete(command)
        .where(own.where(inArray(command.id, batch)))
        .returning({ id: command.id });
      return gone.length;
    },
  };
}
export type CommandRow = Awaited<ReturnType<ReturnType<typeof commandStore>["list"]>>["rows"][number];
