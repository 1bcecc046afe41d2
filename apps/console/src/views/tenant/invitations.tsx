// On Live sessions: the sessions the signed-in user was invited to (from the terminal's "Invite a
// colleague") and has not joined yet, each with who invited them, the rights given and a Join button
// (GET /api/remote-sessions/invitations, refreshed with the list every 5 s). Shown only when there is one.
import { useQuery } from "@tanstack/preact-query";
import { listInvitations, sessionPath } from "../../api/index.ts";

export function Invitations() {
  const q = useQuery({ queryKey: ["invitations"], queryFn: listInvitations, refetchInterval: 5_000 });
  if (!q.data?.length) return null;
  return (
    <section class="card invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <ul>
        {q.data.map((i) => (
          <li key={i.id}>
            <span>
              {i.invited_by_name} invited you to <code>{i.session_id}</code> as {i.role}.
            </span>
            <a class="button small primary" href={sessionPath(i)}>
              Join<span class="sr-only"> {i.session_id}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
