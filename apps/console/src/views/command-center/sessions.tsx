// Command Center › Sessions: every active login on the platform — user, tenant, role, address, browser,
// age — refreshed every 10 s, and the kill switch behind a confirmation. A killed login's row goes at once;
// the server closes that login's pages and terminals. A second view of the page (two toggle buttons, the
// logins first) shows every tenant's live remote sessions; it polls only while shown, since each refresh
// reads every tenant's database.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { type ActiveLogin, killLogin, listLogins, type Page } from "../../api/index.ts";
import { age, shortAgent } from "../../format.ts";
import { MutationConfirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Alert } from "../../ui/states.tsx";
import { RemoteSessions } from "./remote-sessions.tsx";

const KEY = ["logins"];

export function Sessions() {
  const qc = useQueryClient();
  const [view, setView] = useState<"logins" | "remote">("logins");
  const q = useQuery({
    queryKey: KEY,
    queryFn: () => listLogins(),
    refetchInterval: 10_000,
    enabled: view === "logins",
  });
  const [target, setTarget] = useState<ActiveLogin | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const kill = useMutation({
    mutationFn: (l: ActiveLogin) => killLogin(l.id),
    onSuccess: (_r, l) => {
      qc.setQueryData<Page<ActiveLogin>>(KEY, (old) =>
        old
          ? {
              data: old.data.filter((x) => x.id !== l.id),
              pagination: { ...old.pagination, total: old.pagination.total - 1 },
            }
          : old,
      );
      setDone(`The login of ${l.email} was ended.`);
      setTarget(null);
    },
  });
  const now = Date.now();
  return (
    <section aria-labelledby="sessions-title">
      <div class="heading">
        <h1 id="sessions-title">Active sessions</h1>
        {view === "logins" && q.data && <span class="count">{q.data.pagination.total} signed in</span>}
      </div>
      <fieldset class="view-switch">
        <legend class="sr-only">Show</legend>
        <button type="button" aria-pressed={view === "logins"} onClick={() => setView("logins")}>
          Logins
        </button>
        <button type="button" aria-pressed={view === "remote"} onClick={() => setView("remote")}>
          Remote sessions
        </button>
      </fieldset>
      {view === "remote" ? (
        <RemoteSessions />
      ) : (
        <>
          <p class="lead">
            Everyone signed in right now, across every tenant. Killing a login signs that person out at once.
          </p>
          {done && <Alert kind="ok">{done}</Alert>}
          <DataTable
            query={q}
            rows={q.data?.data}
            what="sessions"
            empty={<>Nobody is signed in.</>}
            rowKey={(l) => l.id}
            rowAttrs={(l) => ({ "data-login": l.id })}
            columns={[
              {
                label: "User",
                cell: (l) => (
                  <>
                    <strong>{l.user_name || l.email}</strong>
                    <div class="muted">{l.email}</div>
                  </>
                ),
              },
              {
                label: "Tenant",
                cell: (l) => (
                  <>
                    {l.principal_type === "super_admin" ? (
                      <em>platform</em>
                    ) : (
                      (l.tenant_name ?? l.tenant_subdomain)
                    )}
                  </>
                ),
              },
              { label: "Role", cell: (l) => l.role },
              { label: "IP", cell: (l) => <code>{l.ip_address || "—"}</code> },
              { label: "Browser", cell: (l) => <span title={l.user_agent}>{shortAgent(l.user_agent)}</span> },
              {
                label: "Age",
                cell: (l) => (
                  <span title={`since ${l.started_at}; last seen ${age(l.last_seen_at, now)} ago`}>
                    {age(l.started_at, now)}
                  </span>
                ),
              },
              {
                label: "Actions",
                actions: true,
                cell: (l) => (
                  <>
                    <button type="button" class="danger small" onClick={() => setTarget(l)}>
                      Kill<span class="sr-only"> the login of {l.email}</span>
                    </button>
                  </>
                ),
              },
            ]}
          />
          {target && (
            <MutationConfirm
              title="Kill this login?"
              confirmLabel="Kill login"
              danger
              action={kill}
              onConfirm={() => kill.mutate(target)}
              onClose={() => setTarget(null)}
            >
              <p>
                <strong>{target.email}</strong>
                {target.tenant_name ? ` (${target.tenant_name})` : ""} is signed out at once; their open pages
                and terminals close.
              </p>
            </MutationConfirm>
          )}
        </>
      )}
    </section>
  );
}
