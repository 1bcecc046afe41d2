// On Live sessions: the sessions the signed-in user was invited to (from the terminal's "Invite a
// colleague") and has not joined yet, each with who invited them, the rights given and a Join button. The
// API has no list of one's invitations, so each open session's participants are read (refreshed with the
// list every 5 s); a session the user started is skipped. Shown only when there is an invitation.
import { useQuery } from "@tanstack/preact-query";
import { type LiveSession, listSessionViewers } from "../../api/index.ts";
import { currentUser } from "../../state/session.ts";
import { type Invitation, invitationOf } from "./invitation-of.ts";

async function invitations(sessions: LiveSession[], me: string): Promise<Invitation[]> {
  const others = sessions.filter((s) => s.initiated_by_user_id !== me);
  const viewers = await Promise.all(others.map((s) => listSessionViewers(s.id)));
  return others.flatMap((s, i) => invitationOf(s, viewers[i] ?? [], me) ?? []);
}

export function Invitations({ sessions }: { sessions: LiveSession[] }) {
  const me = currentUser.value?.id ?? "";
  const q = useQuery({
    queryKey: ["invitations", me, sessions.map((s) => s.id).join(",")],
    queryFn: () => invitations(sessions, me),
    enabled: me !== "" && sessions.length > 0,
    refetchInterval: 5_000,
  });
  if (!q.data?.length) return null;
  return (
    <section class="card invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <ul>
        {q.data.map((i) => (
          <li key={i.sessionId}>
            <span>
              {i.ownerName} invited you to <code>{i.publicId}</code> as {i.role}.
            </span>
            <a class="button small primary" href={`/terminal/${i.sessionId}`}>
              Join<span class="sr-only"> {i.publicId}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
