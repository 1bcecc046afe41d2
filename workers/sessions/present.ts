// How the API shows a session and its viewers, field by field. What a caller may see is decided here:
// the owner's client IP and user agent only for the owner and for audit:view, the login session id never.

import { Permission } from "@nostromo/permissions";
import { can } from "../auth/guard.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { iso, isoOrNull } from "../contract/schemas.ts";
import { sessionTypeOf } from "./kind.ts";
import type { Session, SessionViewer } from "./schemas.ts";
import type { SessionRow, ViewerRow } from "./store.ts";

/**
 * A session as `caller` may see it. The owner's client IP and user agent are personal data: shown to the
 * owner and to those who may read the audit trail (which records them anyway), to no one else. The login
 * session id (the kill switch's handle on the owner's login) is never shown.
 */
export function presentSession(s: SessionRow, caller: UserPrincipal): Session {
  const seesClient = s.initiatedByUserId === caller.id || can(caller, Permission.VIEW_AUDIT);
  return {
    id: s.id,
    session_id: s.sessionId,
    type: sessionTypeOf(s.sessionId),
    connection_id: s.connectionId,
    initiated_by_user_id: s.initiatedByUserId,
    status: s.status,
    status_reason: s.statusReason,
    started_at: iso(s.startedAt),
    ended_at: isoOrNull(s.endedAt),
    duration_seconds: s.durationSeconds,
    is_recording: s.isRecording,
    recording_url: s.recordingUrl,
    recording_size_bytes: s.recordingSizeBytes,
    total_commands: s.totalCommands,
    safe_commands: s.safeCommands,
    blocked_commands: s.blockedCommands,
    ...(seesClient ? { client_ip: s.clientIp, user_agent: s.userAgent } : {}),
    agent_id: s.agentId,
    cols: s.cols,
    rows: s.rows,
    last_activity_at: isoOrNull(s.lastActivityAt),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function presentViewer({ viewer: v, name }: ViewerRow): SessionViewer {
  return {
    user_id: v.userId,
    name,
    role: v.role,
    joined_at: iso(v.joinedAt),
    left_at: isoOrNull(v.leftAt),
    is_active: v.isActive,
    can_type: v.canType,
    can_see: v.canSee,
    can_share: v.canShare,
  };
}
