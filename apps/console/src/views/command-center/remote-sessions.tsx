// Command Center › Sessions › Remote sessions: every tenant's live SSH, telnet, VNC, RDP sessions and TCP
// tunnels — tenant, type, connection and host, owner, age, participants, traffic where counted — refreshed
// every 5 s like the tenant's Live sessions (50 a page), and a Kill behind a confirmation that ends one at
// once. A tenant whose database could not be read is named above the list (its sessions are missing).
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { killPlatformSession, type LiveRemoteSession, listPlatformSessions } from "../../api/index.ts";
import { age, bytes } from "../../format.ts";
import { MutationConfirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Alert } from "../../ui/states.tsx";

const KEY = ["platform-remote-sessions"];
const PAGE_SIZE = 50;

export function RemoteSessions() {
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const q = useQuery({
    queryKey: [...KEY, page],
    queryFn: () => listPlatformSessions(page, PAGE_SIZE),
    refetchInterval: 5_000,
  });
  const pages = q.data ? Math.max(1, Math.ceil(q.data.pagination.total / PAGE_SIZE)) : 1;
  const [target, setTarget] = useState<LiveRemoteSession | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const kill = useMutation({
    mutationFn: (s: LiveRemoteSession) => killPlatformSession(s),
    onSuccess: async (_r, s) => {
      setDone(`${s.session_id} of ${s.tenant_name} was ended.`);
      setTarget(null);
      await qc.invalidateQueries({ queryKey: KEY });
    },
  });
  const now = Date.now();
  const unreadable = q.data?.unreadable_tenants ?? [];
  return (
    <section class="remote-sessions" aria-labelledby="remote-sessions-title">
      <div class="heading">
        <h2 id="remote-sessions-title">Remote sessions</h2>
        {q.data && <span class="count">{q.data.pagination.total} live</span>}
      </div>
      <p class="lead">
        SSH, telnet, VNC and RDP sessions and TCP tunnels open right now, across every tenant. Killing one
        ends it at once for everyone in it.
      </p>
      {unreadable.length > 0 && (
        <Alert kind="info">
          Not shown — the database of {unreadable.map((t) => t.tenant_name || t.tenant_subdomain).join(", ")}{" "}
          could not be read.
        </Alert>
      )}
      {done && <Alert kind="ok">{done}</Alert>}
      <DataTable
        query={q}
        rows={q.data?.data}
        what="remote sessions"
        empty={<>No remote session is open right now.</>}
        rowKey={(s) => `${s.tenant_id}/${s.id}`}
        rowAttrs={(s) => ({ "data-remote-session": s.session_id, "data-type": s.type })}
        columns={[
          {
            label: "Session",
            cell: (s) => (
              <>
                <code>{s.session_id}</code>
                {s.status === "disconnected" && <div class="muted">agent reconnecting</div>}
              </>
            ),
          },
          { label: "Tenant", cell: (s) => s.tenant_name || s.tenant_subdomain },
          { label: "Type", cell: (s) => s.type },
          {
            label: "Connection",
            cell: (s) => (
              <>
                {s.connection_name}
                <div class="muted">
                  <code>
                    {s.host}:{s.port}
                  </code>
                </div>
              </>
            ),
          },
          { label: "Owner", cell: (s) => s.owner_email },
          {
            label: "Age",
            cell: (s) => <span title={`since ${s.started_at}`}>{age(s.started_at, now)}</span>,
          },
          { label: "People", cell: (s) => String(s.participants) },
          {
            label: "Traffic",
            cell: (s) =>
              s.bytes_up === null || s.bytes_down === null ? (
                "—"
              ) : (
                <>
                  ↑ {bytes(s.bytes_up)} ↓ {bytes(s.bytes_down)}
                </>
              ),
          },
          {
            label: "Actions",
            actions: true,
            cell: (s) => (
              <button type="button" class="danger small" onClick={() => setTarget(s)}>
                Kill
                <span class="sr-only">
                  {" "}
                  {s.session_id} of {s.tenant_name}
                </span>
              </button>
            ),
          },
        ]}
        paging={{ page, pages, onPage: setPage }}
      />
      {target && (
        <MutationConfirm
          title={`Kill ${target.session_id}?`}
          confirmLabel="Kill session"
          danger
          action={kill}
          onConfirm={() => kill.mutate(target)}
          onClose={() => setTarget(null)}
        >
          <p>
            The {target.type} session of <strong>{target.owner_email}</strong> ({target.tenant_name}) on{" "}
            {target.connection_name} ends at once: everyone in it is disconnected and a tunnel's client stops.
          </p>
        </MutationConfirm>
      )}
    </section>
  );
}
