// Tenant console › Live sessions: the organization's sessions open right now, refreshed every 5 s, each
// with a "Join" that opens its terminal (watching, or typing when the room allows it).
import { useQuery } from "@tanstack/preact-query";
import { listConnections, listLiveSessions } from "../../api/index.ts";
import { age } from "../../format.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
import { WaitingApprovals } from "./waiting-approvals.tsx";

export function LiveSessions() {
  const q = useQuery({ queryKey: ["live-sessions"], queryFn: listLiveSessions, refetchInterval: 5_000 });
  const names = useQuery({ queryKey: ["connections", ""], queryFn: () => listConnections("") });
  const nameOf = (id: string) => names.data?.items.find((c) => c.id === id)?.name ?? "—";
  const now = Date.now();
  return (
    <section aria-labelledby="live-title">
      <div class="heading">
        <h1 id="live-title">Live sessions</h1>
        {q.data && <span class="count">{q.data.length} open</span>}
      </div>
      {can(currentUser.value, "policies:manage") && <WaitingApprovals />}
      {q.isPending ? (
        <Loading what="live sessions" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.length === 0 ? (
        <Empty>No session is open right now.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Connection</th>
                <th scope="col">Age</th>
                <th scope="col">Commands</th>
                <th scope="col">Recording</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((s) => (
                <tr key={s.id}>
                  <td data-label="Session">
                    <code>{s.publicId}</code>
                  </td>
                  <td data-label="Connection">{nameOf(s.connectionId)}</td>
                  <td data-label="Age">{age(s.startedAt, now)}</td>
                  <td data-label="Commands">
                    {s.commands}
                    {s.blocked ? ` (${s.blocked} blocked)` : ""}
                  </td>
                  <td data-label="Recording">{s.recording ? "yes" : "no"}</td>
                  <td>
                    <a class="button small primary" href={`/terminal/${s.id}`}>
                      Join<span class="sr-only"> {s.publicId}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
