// Tenant console › Policies: the organization's command policies in evaluation order, each with its
// rules; the "test a command" box above; "New policy" for roles that may manage policies.
import { useQuery } from "@tanstack/preact-query";
import { listPolicies, type Policy } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { DataTable, LOADED } from "../../ui/data-table.tsx";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
import { PolicyTest } from "./policy-test.tsx";

function Rules({ policy }: { policy: Policy }) {
  return (
    <DataTable
      query={LOADED}
      rows={policy.blocked_commands}
      what="rules"
      empty="No rules."
      rowKey={(r) => r.id}
      columns={[
        {
          label: "Rule",
          cell: (r) => (
            <>
              <strong>{r.name}</strong>
              {r.description && <div class="muted">{r.description}</div>}
            </>
          ),
        },
        { label: "Pattern", cell: (r) => <code>{r.pattern}</code> },
        { label: "Match", cell: (r) => r.pattern_type },
        { label: "Severity", cell: (r) => <span class={`badge risk-${r.severity}`}>{r.severity}</span> },
      ]}
    />
  );
}

export function Policies() {
  const q = useQuery({ queryKey: ["policies"], queryFn: () => listPolicies() });
  const mayManage = can(currentUser.value, "policies:manage");
  return (
    <section aria-labelledby="policies-title">
      <div class="heading">
        <h1 id="policies-title">Policies</h1>
        {mayManage && (
          <a class="button primary" href="/policies/new">
            New policy
          </a>
        )}
      </div>
      <PolicyTest />
      {q.isPending ? (
        <Loading what="policies" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>No policies yet: every command is allowed and logged.</Empty>
      ) : (
        q.data.data.map((p) => (
          <details key={p.id} class="policy" open={q.data.data.length <= 3}>
            <summary>
              <strong>{p.name}</strong>{" "}
              <span class={`badge ${p.is_active ? "status-active" : "status-suspended"}`}>
                {p.is_active ? "active" : "inactive"}
              </span>{" "}
              <span class="muted">
                {p.blocked_commands.length} {p.blocked_commands.length === 1 ? "rule" : "rules"} · v
                {p.version} · unparseable: {p.uncheckable_action}
              </span>
            </summary>
            {p.description && <p>{p.description}</p>}
            {mayManage && (
              <p>
                <a class="button small" href={`/policies/${p.id}/edit`}>
                  Edit<span class="sr-only"> policy {p.name}</span>
                </a>
              </p>
            )}
            <Rules policy={p} />
          </details>
        ))
      )}
    </section>
  );
}
