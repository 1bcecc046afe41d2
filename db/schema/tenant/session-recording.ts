// SESSION_RECORDING: metadata of an asciicast v2 recording kept in object storage (R2).
import { bigint, boolean, index, integer, pgTable, real, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns.ts";
import { recordingStatusEnum } from "./enums.ts";
import { organization } from "./organization.ts";
import { session } from "./session.ts";

export const sessionRecording = pgTable(
  "session_recording",
  {
    id: id(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => session.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    fileUrl: text("file_url").notNull(),
    fileName: text("file_name").notNull(),
    fileSizeBytes: bigint("file_size_bytes", { mode: "number" }).notNull().default(0),
    mimeType: text("mime_type").notNull().default("application/x-asciicast"),
    durationSeconds: real("duration_seconds").notNull().default(0),
    framesPerSecond: real("frames_per_second").notNull().default(0),
    resolution: text("resolution").notNull(),
    codec: text("codec").notNull().default("asciicast-v2"),
    status: recordingStatusEnum("status").notNull().default("processing"),
    isDownloadable: boolean("is_downloadable").notNull().default(true),
    retentionUntil: ts("retention_until").notNull(),
    chunkCount: integer("chunk_count").notNull().default(0),
    /** Set when retention removed the recording's objects from storage: the row stays, the file is gone. */
    deletedAt: ts("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("idx_session_recording_session").on(t.sessionId),
    index("idx_session_recording_retention").on(t.retentionUntil),
  ],
);
