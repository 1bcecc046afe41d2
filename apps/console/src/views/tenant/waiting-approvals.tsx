// On Live sessions, for those who may approve (policies:manage): the commands the organization's live
// sessions hold for approval right now (refreshed every 5 s), each decided here or opened in its terminal.
// A command typed by the viewer themselves is shown without the buttons (someone else must decide it).
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { decideApproval, listWaitingApprovals } from "../../api/index.ts";
import { currentUser } from "../../state/session.ts";
import { Failed } from "../../ui/states.tsx";

export function WaitingApprovals() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["waiting-approvals"],
    queryFn: listWaitingApprovals,
    refetchInterval: 5_000,
  });
  const decide = useMutation({
    mutationFn: (d: { sessionId: string; commandId: string; approve: boolean }) =>
      decideApproval(d.sessionId, d.commandId, d.approve),
    onSettled: () => qc.invalidateQueries({ queryKey: ["waiting-approvals"] }),
  });
  if (q.isError) return <Failed error={q.error} retry={() => q.refetch()} />;
  if (!q.data?.length) return null;
  const me = currentUser.value?.id;
  return (
    <section class="card waiting-approvals" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Waiting for approval</h2>
      {decide.isError && <Failed error={decide.error} />}
      <ul>
        {q.data.map((a) => (
          <li key={a.commandId}>
            <span>
              {a.typistName} in <code>{a.publicId}</code>: <code>{a.command}</code>
              {a.rule ? ` (rule “${a.rule}”)` : ""}
            </span>
            <span class="actions">
              {a.typistUserId !== me && (
                <>
                  <button
                    type="button"
                    class="small primary"
                    disabled={decide.isPending}
                    onClick={() => decide.mutate({ ...a, approve: true })}
                  >
                    Approve<span class="sr-only"> {a.command}</span>
                  </button>
                  <button
                    type="button"
                    class="small danger"
                    disabled={decide.isPending}
                    onClick={() => decide.mutate({ ...a, approve: false })}
                  >
                    Deny<span class="sr-only"> {a.command}</span>
                  </button>
                </>
              )}
              <a class="button small" href={`/terminal/${a.sessionId}`}>
                Open session<span class="sr-only"> {a.publicId}</span>
              </a>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
