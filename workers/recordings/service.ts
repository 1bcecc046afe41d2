// Recordings: list and present them, and stream a ready one's .cast from its object-storage chunks in
// order (workers/session-room/recorder.ts writes them).
import { iso, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { castStream } from "../session-room/recorder.ts";
import { sessionTypeOf } from "../sessions/kind.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { Recording, RecordingQuery } from "./schemas.ts";
import { type RecordingRow, recordingStore } from "./store.ts";

export function presentRecording({ recording: r, publicId }: RecordingRow): Recording {
  return {
    id: r.id,
    session_id: r.sessionId,
    session_public_id: publicId,
    session_type: sessionTypeOf(publicId),
    file_name: r.fileName,
    file_size_bytes: r.fileSizeBytes,
    mime_type: r.mimeType,
    duration_seconds: r.durationSeconds,
    frames_per_second: r.framesPerSecond,
    resolution: r.resolution,
    codec: r.codec,
    status: r.status,
    is_downloadable: r.isDownloadable,
    retention_until: iso(r.retentionUntil),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    download_url: `/api/recordings/${r.id}/download`,
  };
}

export async function listRecordings(ctx: TenantContext, q: RecordingQuery) {
  const { rows, total } = await recordingStore(ctx).list(q);
  return pageOf(q, rows.map(presentRecording), total);
}

/** A recording retention removed: the row is kept, the file is gone — a 404 that says so. */
function gone(deletedAt: Date): ApiError {
  return new ApiError("NOT_FOUND", `The recording was deleted by retention on ${iso(deletedAt)}`);
}

export async function getRecording(ctx: TenantContext, id: string): Promise<Recording> {
  const r = await recordingStore(ctx).find(id);
  if (!r) throw new ApiError("NOT_FOUND", "No such recording");
  if (r.recording.deletedAt) throw gone(r.recording.deletedAt);
  return presentRecording(r);
}

/** The .cast file of a ready, downloadable recording still within its retention. */
export async function download(ctx: TenantContext, id: string) {
  const found = await recordingStore(ctx).find(id);
  const r = found?.recording;
  if (r?.deletedAt) throw gone(r.deletedAt);
  if (!r || r.retentionUntil.getTime() <= Date.now()) throw new ApiError("NOT_FOUND", "No such recording");
  if (!r.isDownloadable) throw new ApiError("FORBIDDEN", "This recording may not be downloaded");
  if (r.status !== "ready") throw new ApiError("INVALID_STATE", "The recording is still being written");
  const prefix = r.fileUrl.replace(/^r2:\/\//, "").replace(/\/$/, "");
  return {
    body: castStream(ctx.env.RECORDINGS, prefix, r.chunkCount),
    fileName: r.fileName.replace(/[^A-Za-z0-9._-]/g, "_"),
    mimeType: r.mimeType,
  };
}
