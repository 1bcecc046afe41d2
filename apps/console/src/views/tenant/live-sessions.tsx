// Tenant console › Live sessions: the organization's sessions open right now, refreshed every 5 s, with
// their type. A terminal session (ssh, telnet) has a "Join" that opens its terminal (watching, or typing
// when the room allows it), a VNC session its desktop likewise, an RDP session its desktop for its owner
// and a "Watch" (read-only) for the others; a TCP tunnel has no screen, so it shows its target port and traffic so far
// instead, and an "End" (behind a confirmation) for those who may end sessions. Above them, the sessions
// the user was invited to.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  endSession,
  type LiveSession,
  type LiveTunnel,
  listConnections,
  listLiveSessions,
  listLiveTunnels,
  sessionPath,
} from "../../api/index.ts";
import { age, bytes } from "../../format.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { MutationConfirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Invitations } from "./invitations.tsx";
import { WaitingApprovals } from "./waiting-approvals.tsx";

/** A tunnel's traffic so far: bytes each way and its connections. */
function Traffic({ t }: { t: LiveTunnel | undefined }) {
  if (!t) return <>—</>;
  return (
    <span title={`${t.connections} connection(s) so far`}>
      ↑ {bytes(t.bytes_up)} ↓ {bytes(t.bytes_down)} · {t.streams} open
    </span>
  );
}

export function LiveSessions() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["live-sessions"], queryFn: listLiveSessions, refetchInterval: 5_000 });
  const hasTunnels = q.data?.some((s) => s.type === "tunnel") ?? false;
  const tunnels = useQuery({
    queryKey: ["live-tunnels"],
    queryFn: listLiveTunnels,
    refetchInterval: 5_000,
    enabled: hasTunnels,
  });
  const names = useQuery({ queryKey: ["connections", ""], queryFn: () => listConnections("") });
  const nameOf = (id: string) => names.data?.data.find((c) => c.id === id)?.name ?? "—";
  const tunnelOf = (id: string) => tunnels.data?.find((t) => t.id === id);
  const [target, setTarget] = useState<LiveSession | null>(null);
  const end = useMutation({
    mutationFn: (s: LiveSession) => endSession(s.id),
    onSuccess: async () => {
      setTarget(null);
      await qc.invalidateQueries({ queryKey: ["live-sessions"] });
    },
  });
  const mayEnd = can(currentUser.value, "session:end");
  const now = Date.now();
  return (
    <section aria-labelledby="live-title">
      <div class="heading">
        <h1 id="live-title">Live sessions</h1>
        {q.data && <span class="count">{q.data.length} open</span>}
      </div>
      <Invitations />
      {can(currentUser.value, "policies:manage") && <WaitingApprovals />}
      <DataTable
        query={q}
        rows={q.data}
        what="live sessions"
        empty={<>No session is open right now.</>}
        rowKey={(s) => s.id}
        rowAttrs={(s) => ({ "data-type": s.type })}
        columns={[
          { label: "Session", cell: (s) => <code>{s.session_id}</code> },
          { label: "Type", cell: (s) => s.type },
          {
            label: "Connection",
            cell: (s) => {
              const port = s.type === "tunnel" ? tunnelOf(s.id)?.port : null;
              return port ? `${nameOf(s.connection_id)} → port ${port}` : nameOf(s.connection_id);
            },
          },
          { label: "Age", cell: (s) => age(s.started_at, now) },
          {
            label: "Activity",
            cell: (s) =>
              s.type === "tunnel" ? (
                <Traffic t={tunnelOf(s.id)} />
              ) : (
                <>
                  {s.total_commands} commands
                  {s.blocked_commands ? ` (${s.blocked_commands} blocked)` : ""}
                </>
              ),
          },
          { label: "Recording", cell: (s) => (s.type === "tunnel" ? "—" : s.is_recording ? "yes" : "no") },
          {
            label: "Actions",
            actions: true,
            cell: (s) =>
              s.type === "tunnel" ? (
                mayEnd && (
                  <button type="button" class="danger small" onClick={() => setTarget(s)}>
                    End<span class="sr-only"> {s.session_id}</span>
                  </button>
                )
              ) : s.type === "rdp" && s.initiated_by_user_id !== currentUser.value?.id ? (
                <a class="button small primary" href={`${sessionPath(s)}?watch`}>
                  Watch<span class="sr-only"> {s.session_id}</span>
                </a>
              ) : (
                <a class="button small primary" href={sessionPath(s)}>
                  Join<span class="sr-only"> {s.session_id}</span>
                </a>
              ),
          },
        ]}
      />
      {target && (
        <MutationConfirm
          title={`End ${target.session_id}?`}
          confirmLabel="End tunnel"
          danger
          action={end}
          onConfirm={() => end.mutate(target)}
          onClose={() => setTarget(null)}
        >
          <p>Every connection through this tunnel closes at once, and the tunnel's client stops.</p>
        </MutationConfirm>
      )}
    </section>
  );
}
