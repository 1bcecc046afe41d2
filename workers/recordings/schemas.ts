// The contract of /api/recordings: the seed's SESSION_RECORDING as the API shows it. Where the bytes live
// in object storage (file_url, its chunk count) stays on the server: the file is fetched at download_url.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { SessionType } from "../sessions/kind.ts";

export const RecordingQuery = pageQuery.extend({
  session_id: Id.optional().describe("Only this session's recordings"),
});
export type RecordingQuery = z.output<typeof RecordingQuery>;

export const Recording = z
  .object({
    id: Id,
    session_id: Id,
    /** The session's public id (`ssh-1`…). */
    session_public_id: z.string(),
    /** The session's type (ssh, telnet…). */
    session_type: SessionType,
    file_name: z.string(),
    file_size_bytes: z.number().int(),
    mime_type: z.string(),
    duration_seconds: z.number(),
    frames_per_second: z.number(),
    resolution: z.string(),
    codec: z.string(),
    status: z.enum(["processing", "ready", "error"]),
    is_downloadable: z.boolean(),
    retention_until: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    /** The asciicast v2 file (`asciinema play` accepts it) once status is `ready`. */
    download_url: z.string(),
  })
  .meta({ id: "Recording" });
export type Recording = z.infer<typeof Recording>;

export const RecordingPage = pageSchema(Recording);
