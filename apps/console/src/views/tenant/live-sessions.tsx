// Tenant console › Live sessions: the organization's sessions open right now, refreshed every 5 s, each
// with a "Join" that opens its terminal (watching, or typing when the room allows it).
import { useQuery } from "@tanstack/preact-query";
import { listConnections, listLiveSessions, sessionPath } from "../../api/index.ts";
import { age } from "../../format.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { WaitingApprovals } from "./waiting-approvals.tsx";

export function LiveSessions() {
  const q = useQuery({ queryKey: ["live-sessions"], queryFn: listLiveSessions, refetchInterval: 5_000 });
  const names = useQuery({ queryKey: ["connections", ""], queryFn: () => listConnections("") });
  const nameOf = (id: string) => names.data?.data.find((c) => c.id === id)?.name ?? "—";
  const now = Date.now();
  return (
    <section aria-labelledby="live-title">
      <div class="heading">
        <h1 id="live-title">Live sessions</h1>
        {q.data && <span class="count">{q.data.length} open</span>}
      </div>
      {can(currentUser.value, "policies:manage") && <WaitingApprovals />}
      <DataTable
        query={q}
        rows={q.data}
        what="live sessions"
        empty={<>No session is open right now.</>}
        rowKey={(s) => s.id}
        columns={[
          { label: "Session", cell: (s) => <code>{s.session_id}</code> },
          { label: "Connection", cell: (s) => nameOf(s.connection_id) },
          { label: "Age", cell: (s) => age(s.started_at, now) },
          {
            label: "Commands",
            cell: (s) => (
              <>
                {s.total_commands}
                {s.blocked_commands ? ` (${s.blocked_commands} blocked)` : ""}
              </>
            ),
          },
          { label: "Recording", cell: (s) => (s.is_recording ? "yes" : "no") },
          {
            label: "Actions",
            actions: true,
            cell: (s) => (
              <>
                <a class="button small primary" href={sessionPath(s)}>
                  Join<span class="sr-only"> {s.session_id}</span>
                </a>
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
