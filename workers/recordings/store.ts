// session_recording for the API and for retention, scoped to one tenant by construction. The SessionRoom
// object writes the rows while it records (workers/session-room); retention only marks a row deleted once
// its objects are gone from storage (the row stays, so a read says the recording was deleted, not 500).
import { asc, count, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { session } from "../../db/schema/tenant/session.ts";
import { sessionRecording } from "../../db/schema/tenant/session-recording.ts";
import { pageOffset } from "../contract/schemas.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";
import type { RecordingQuery } from "./schemas.ts";

export function recordingStore(ctx: TenantContext) {
  const own = scoped(ctx, sessionRecording);
  const columns = { recording: sessionRecording, publicId: session.sessionId };
  return {
    /** Recordings still within their retention, newest first. */
    async list(q: RecordingQuery) {
      const where = own.where(
        gt(sessionRecording.retentionUntil, new Date()),
        isNull(sessionRecording.deletedAt),
        q.session_id ? eq(sessionRecording.sessionId, q.session_id) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        ctx.db
          .select(columns)
          .from(sessionRecording)
          .innerJoin(session, eq(session.id, sessionRecording.sessionId))
          .where(where)
          .orderBy(desc(sessionRecording.createdAt), desc(sessionRecording.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        ctx.db.select({ n: count() }).from(sessionRecording).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async find(id: string) {
      const [r] = await ctx.db
        .select(columns)
        .from(sessionRecording)
        .innerJoin(session, eq(session.id, sessionRecording.sessionId))
        .where(own.where(eq(sessionRecording.id, id)));
      return r;
    },

    /** Up to `limit` recordings not yet deleted whose retention has passed at `now`: past their own
     * retention_until, or older than the organization's current window (a shortened window applies). */
    async expired(now: Date, createdBefore: Date, limit: number) {
      return ctx.db
        .select({ id: sessionRecording.id, fileUrl: sessionRecording.fileUrl })
        .from(sessionRecording)
        .where(
          own.where(
            isNull(sessionRecording.deletedAt),
            or(lte(sessionRecording.retentionUntil, now), lte(sessionRecording.createdAt, createdBefore)),
          ),
        )
        .orderBy(asc(sessionRecording.createdAt), asc(sessionRecording.id))
        .limit(limit);
    },

    /** Its objects are gone: the row says so (and is no longer downloadable). */
    async markDeleted(id: string, now: Date) {
      await ctx.db
        .update(sessionRecording)
        .set({ deletedAt: now, isDownloadable: false, updatedAt: now })
        .where(own.where(eq(sessionRecording.id, id), isNull(sessionRecording.deletedAt)));
    },
  };
}
export type RecordingRow = NonNullable<Awaited<ReturnType<ReturnType<typeof recordingStore>["find"]>>>;
