// Tenant console › Policies: the organization's command policies in evaluation order, each with its
// rules; the "test a command" box above; "New policy" for roles that may manage policies.
import { useQuery } from "@tanstack/preact-query";
import { listPolicies, type Policy } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
import { PolicyTest } from "./policy-test.tsx";

function Rules({ policy }: { policy: Policy }) {
  if (policy.blocked_commands.length === 0) return <p class="muted">No rules.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Pattern</th>
            <th scope="col">Match</th>
            <th scope="col">Severity</th>
          </tr>
        </thead>
        <tbody>
          {policy.blocked_commands.map((r) => (
            <tr key={r.id}>
              <td data-label="Rule">
                <strong>{r.name}</strong>
                {r.description && <div class="muted">{r.description}</div>}
              </td>
              <td data-label="Pattern">
                <code>{r.pattern}</code>
              </td>
              <td data-label="Match">{r.pattern_type}</td>
              <td data-label="Severity">
                <span class={`badge risk-${r.severity}`}>{r.severity}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
