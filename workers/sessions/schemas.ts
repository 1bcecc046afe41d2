// The contract of /api/remote-sessions: the seed's SESSION and SESSION_VIEWER as the API shows them, and
// the requests that start, share, record and end a session. What a caller may see of a session (its
// owner's client IP and user agent) is decided by the presenter in service.ts; login session ids never
// leave the server.
import { z } from "zod";
import { Id, pageQuery, pageSchema, Timestamp } from "../contract/schemas.ts";
import { SessionType } from "./kind.ts";

export const SessionStatus = z.enum(["active", "ended", "disconnected", "error"]);
/** The live room's status: `connecting` until the agent has opened the shell. */
export const RoomStatus = z.enum(["connecting", "active", "disconnected", "ended", "error"]);
export const ViewerRole = z.enum(["owner", "collaborator", "viewer"]);

export const StartBody = z
  .object({
    connection_id: Id,
    cols: z.number().int().min(10).max(1000).default(80),
    rows: z.number().int().min(2).max(500).default(24),
  })
  .strict();
export type StartBody = z.output<typeof StartBody>;

export const SessionQuery = pageQuery.extend({
  status: SessionStatus.optional(),
  type: SessionType.optional(),
});
export type SessionQuery = z.output<typeof SessionQuery>;

const OWNER_ONLY =
  "Shown only to the session's owner and to callers with audit:view; absent for everyone else.";

export const Session = z
  .object({
    id: Id,
    /** The public id per organization and protocol (`ssh-1`, `exec-2`…), what people read and type. */
    session_id: z.string(),
    type: SessionType,
    connection_id: Id,
    initiated_by_user_id: Id,
    status: SessionStatus,
    status_reason: z.string().nullable(),
    started_at: Timestamp,
    ended_at: Timestamp.nullable(),
    duration_seconds: z.number().int().nullable(),
    is_recording: z.boolean(),
    recording_url: z.string().nullable(),
    recording_size_bytes: z.number().int().nullable(),
    total_commands: z.number().int(),
    safe_commands: z.number().int(),
    blocked_commands: z.number().int(),
    client_ip: z.string().optional().describe(`The owner's address when the session started. ${OWNER_ONLY}`),
    user_agent: z.string().optional().describe(`The owner's user agent. ${OWNER_ONLY}`),
    agent_id: Id.nullable(),
    cols: z.number().int(),
    rows: z.number().int(),
    last_activity_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof Session>;

export const SessionPage = pageSchema(Session);

export const Started = z.object({
  id: Id,
  session_id: z.string(),
  status: RoomStatus,
  cols: z.number().int(),
  rows: z.number().int(),
  recording: z.boolean(),
  /** Where viewers open the session's WebSocket. */
  ws_url: z.string(),
});

export const Ended = z.object({ id: Id, session_id: z.string(), status: RoomStatus });

export const SessionViewer = z
  .object({
    user_id: Id,
    name: z.string(),
    role: ViewerRole,
    joined_at: Timestamp,
    left_at: Timestamp.nullable(),
    is_active: z.boolean(),
    can_type: z.boolean(),
    can_see: z.boolean(),
    can_share: z.boolean(),
  })
  .meta({ id: "SessionViewer" });
export type SessionViewer = z.infer<typeof SessionViewer>;

export const SessionViewerPage = pageSchema(SessionViewer);

export const ParticipantBody = z.object({ user_id: Id, role: z.enum(["collaborator", "viewer"]) }).strict();
export type ParticipantBody = z.output<typeof ParticipantBody>;

export const Participant = z.object({
  user_id: Id,
  role: z.enum(["collaborator", "viewer"]),
  can_type: z.boolean(),
  /** How many of the invitee's sockets in the live room took the new rights at once. */
  live_connections: z.number().int(),
});

export const RecordingBody = z.object({ enabled: z.boolean() }).strict();

export const RecordingState = z.object({
  recording: z.boolean(),
  /** The recording being written (GET /api/recordings/{id}); null when none is. */
  recording_id: Id.nullable(),
});

export const ApprovalBody = z.object({ approve: z.boolean() }).strict();

export const ApprovalResult = z.object({ command_id: Id, approved: z.boolean() });

export const PendingApproval = z
  .object({
    /** The session (its id, and the public id people read). */
    id: Id,
    session_id: z.string(),
    command_id: Id,
    command: z.string(),
    typist_user_id: Id,
    typist_name: z.string(),
    /** The rule (or policy) that asks for approval. */
    rule: z.string().nullable(),
    expires_at: Timestamp,
  })
  .meta({ id: "PendingApproval" });
export type PendingApproval = z.infer<typeof PendingApproval>;

export const PendingApprovalPage = pageSchema(PendingApproval);

/** A live session the caller was invited to (from the terminal's "Invite") and has not joined yet. */
export const Invitation = z
  .object({
    /** The session (its id, and the public id people read). */
    id: Id,
    session_id: z.string(),
    type: SessionType,
    /** What the invitation gives: a collaborator may type (when their role runs commands). */
    role: z.enum(["collaborator", "viewer"]),
    invited_by_user_id: Id,
    invited_by_name: z.string(),
    invited_at: Timestamp,
  })
  .meta({ id: "Invitation" });
export type Invitation = z.infer<typeof Invitation>;

export const InvitationPage = pageSchema(Invitation);
