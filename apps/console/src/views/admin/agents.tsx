// Tenant console › Agents: the organization's agents (online or not, version, last seen), "Add an agent"
// for administrators, and revoking with a confirmation (the server closes the agent's socket at once).
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { type Agent, listAgents, revokeAgent } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";
import { EnrolAgent } from "./enrol-agent.tsx";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

export function Agents() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["agents"], queryFn: listAgents, refetchInterval: 10_000 });
  const mayManage = can(currentUser.value, "settings:manage");
  const [adding, setAdding] = useState(false);
  const [revoking, setRevoking] = useState<Agent | null>(null);
  const revoke = useMutation({
    mutationFn: (a: Agent) => revokeAgent(a.id),
    onSuccess: async () => {
      setRevoking(null);
      await qc.invalidateQueries({ queryKey: ["agents"] });
    },
  });
  return (
    <section aria-labelledby="agents-title">
      <div class="heading">
        <h1 id="agents-title">Agents</h1>
        {mayManage && !adding && (
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            Add an agent
          </button>
        )}
      </div>
      {adding && (
        <EnrolAgent
          onClose={() => {
            setAdding(false);
            void qc.invalidateQueries({ queryKey: ["agents"] });
          }}
        />
      )}
      <DataTable
        query={q}
        rows={q.data?.data}
        what="agents"
        empty={<>No agents yet.{mayManage && " Add one to reach servers in a private network."}</>}
        rowKey={(a) => a.id}
        columns={[
          { label: "Name", cell: (a) => <strong>{a.name}</strong> },
          {
            label: "Status",
            cell: (a) => (
              <>
                {a.status === "revoked" ? (
                  <span class="badge status-suspended">revoked</span>
                ) : a.online ? (
                  <span class="badge status-active">online</span>
                ) : (
                  <span class="badge">offline</span>
                )}
              </>
            ),
          },
          { label: "Host", cell: (a) => a.hostname || "—" },
          { label: "Version", cell: (a) => a.version || "—" },
          { label: "Last seen", cell: (a) => when(a.last_seen_at) },
          mayManage && {
            label: "Actions",
            actions: true,
            cell: (a) => (
              <>
                {a.status !== "revoked" && (
                  <button type="button" class="small danger" onClick={() => setRevoking(a)}>
                    Revoke<span class="sr-only"> {a.name}</span>
                  </button>
                )}
              </>
            ),
          },
        ]}
      />
      {revoking && (
        <Confirm
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke agent"
          danger
          busy={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>
            The agent is disconnected now and can never connect again; servers behind it become unreachable.
          </p>
          {revoke.isError && <Failed error={revoke.error} />}
        </Confirm>
      )}
    </section>
  );
}
