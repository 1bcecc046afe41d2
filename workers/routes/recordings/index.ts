// /api/recordings: the organization's session recordings (SESSION_RECORDING) and the .cast download,
// streamed from its R2 chunks in order — a file `asciinema play` accepts.

import { Permission } from "@nostromo/permissions";
import { and, desc, eq, gt } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { session } from "../../../db/schema/tenant/session.ts";
import { sessionRecording } from "../../../db/schema/tenant/session-recording.ts";
import { can, currentUser } from "../../auth/guard.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { snake } from "../../lib/snake.ts";
import { idParam, readQuery } from "../../lib/validate.ts";
import { castStream } from "../../session-room/recorder.ts";

const listQuery = z.object({
  session_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function assertMayWatch(u: ReturnType<typeof currentUser>) {
  if (!can(u, Permission.VIEW_SESSION)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
}

/** One recording of the caller's organization, for someone who may watch sessions. */
async function findRecording(c: Context<AppEnv>) {
  const u = currentUser(c);
  assertMayWatch(u);
  const db = c.var.scope?.db;
  if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
  const [r] = await db
    .select()
    .from(sessionRecording)
    .where(and(eq(sessionRecording.id, idParam(c)), eq(sessionRecording.organizationId, u.tenantId)));
  return r;
}

export const recordingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const u = currentUser(c);
    assertMayWatch(u);
    const q = readQuery(c, listQuery);
    const db = c.var.scope?.db;
    if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const rows = await db
      .select({ recording: sessionRecording, publicId: session.sessionId })
      .from(sessionRecording)
      .innerJoin(session, eq(session.id, sessionRecording.sessionId))
      .where(
        and(
          eq(sessionRecording.organizationId, u.tenantId),
          gt(sessionRecording.retentionUntil, new Date()),
          q.session_id ? eq(sessionRecording.sessionId, q.session_id) : undefined,
        ),
      )
      .orderBy(desc(sessionRecording.createdAt))
      .limit(q.limit);
    return c.json({ data: rows.map((r) => ({ ...snake(r.recording), session_public_id: r.publicId })) });
  })

  .get("/:id", async (c) => {
    const r = await findRecording(c);
    if (!r) throw new ApiError("NOT_FOUND", "No such recording");
    return c.json({ ...snake(r), download_url: `/api/recordings/${r.id}/download` });
  })

  .get("/:id/download", async (c) => {
    const r = await findRecording(c);
    if (!r || r.retentionUntil.getTime() <= Date.now()) throw new ApiError("NOT_FOUND", "No such recording");
    if (!r.isDownloadable) throw new ApiError("FORBIDDEN", "This recording may not be downloaded");
    if (r.status !== "ready") throw new ApiError("INVALID_STATE", "The recording is still being written");
    const prefix = r.fileUrl.replace(/^r2:\/\//, "").replace(/\/$/, "");
    return new Response(castStream(c.env.RECORDINGS, prefix, r.chunkCount), {
      headers: {
        "content-type": "application/x-asciicast",
        "content-disposition": `attachment; filename="${r.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      },
    });
  });
