// The API's reads of session_recording, scoped to one tenant by construction. The SessionRoom object
// writes the rows while it records (workers/session-room).
import { count, desc, eq, gt } from "drizzle-orm";
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
  };
}
export type RecordingRow = NonNullable<Awaited<ReturnType<ReturnType<typeof recordingStore>["find"]>>>;
