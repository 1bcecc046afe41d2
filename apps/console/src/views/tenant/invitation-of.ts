// Which live sessions the signed-in user has been invited to and not yet joined, read from each session's
// participant list: an invitation is a participant row of theirs (collaborator or viewer) that was never
// active (a joined participant is active; one who left has `left_at`). The session's owner row names who
// invited them.
import type { LiveSession, SessionViewer } from "../../api/index.ts";

export interface Invitation {
  sessionId: string;
  publicId: string;
  role: "collaborator" | "viewer";
  ownerName: string;
}

export function invitationOf(s: LiveSession, viewers: SessionViewer[], me: string): Invitation | null {
  if (s.initiated_by_user_id === me) return null;
  const mine = viewers.find((v) => v.user_id === me);
  if (!mine || mine.role === "owner" || mine.is_active || mine.left_at !== null) return null;
  return {
    sessionId: s.id,
    publicId: s.session_id,
    role: mine.role,
    ownerName: viewers.find((v) => v.role === "owner")?.name ?? "The session's owner",
  };
}
