// Tenant console › Agents: the organization's agents (online or not, version, last seen), "Add an agent"
// for administrators, and revoking with a confirmation (the server closes the agent's socket at once).
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { type Agent, listAgents, revokeAgent } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
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
      {q.isPending ? (
        <Loading what="agents" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>No agents yet.{mayManage && " Add one to reach servers in a private network."}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Host</th>
                <th scope="col">Version</th>
                <th scope="col">Last seen</th>
                {mayManage && (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {q.data.data.map((a) => (
                <tr key={a.id}>
                  <td data-label="Name">
                    <strong>{a.name}</strong>
                  </td>
                  <td data-label="Status">
                    {a.status === "revoked" ? (
                      <span class="badge status-suspended">revoked</span>
                    ) : a.online ? (
                      <span class="badge status-active">online</span>
                    ) : (
                      <span class="badge">offline</span>
                    )}
                  </td>
                  <td data-label="Host">{a.hostname || "—"}</td>
                  <td data-label="Version">{a.version || "—"}</td>
                  <td data-label="Last seen">{when(a.last_seen_at)}</td>
                  {mayManage && (
                    <td>
                      {a.status !== "revoked" && (
                        <button type="button" class="small danger" onClick={() => setRevoking(a)}>
                          Revoke<span class="sr-only"> {a.name}</span>
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
