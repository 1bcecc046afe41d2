// Tenant console › Commands: every command typed in the organization's sessions, searchable by text,
// user, status, risk and time; a row opens to show the command's output, exit code and why it was blocked.
import { keepPreviousData, useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  COMMAND_STATUSES,
  type CommandEntry,
  type CommandFilter,
  listCommands,
  RISK_LEVELS,
} from "../../api/index.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { isoOf, when } from "./time-range.ts";

function Detail({ c }: { c: CommandEntry }) {
  return (
    <dl>
      <dt>Exit code</dt>
      <dd>{c.exit_code ?? "—"}</dd>
      <dt>Session</dt>
      <dd>
        <code>{c.session_public_id}</code>
      </dd>
      <dt>Duration</dt>
      <dd>{c.duration_ms} ms</dd>
      {c.blocked_reason && (
        <>
          <dt>Blocked because</dt>
          <dd>{c.blocked_reason}</dd>
        </>
      )}
      {c.error_message && (
        <>
          <dt>Error</dt>
          <dd>{c.error_message}</dd>
        </>
      )}
      <dt>Output</dt>
      <dd>
        {c.output ? (
          <pre class="output">
            {c.output}
            {c.output_truncated && "\n… (truncated)"}
          </pre>
        ) : (
          <span class="muted">No output recorded.</span>
        )}
      </dd>
    </dl>
  );
}

function Select(props: {
  id: string;
  label: string;
  value: string;
  options: readonly string[];
  set(v: string): void;
}) {
  return (
    <>
      <label for={props.id} class="sr-only">
        {props.label}
      </label>
      <select id={props.id} value={props.value} onChange={(e) => props.set(e.currentTarget.value)}>
        <option value="">{props.label}: any</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}

export function Commands() {
  const [f, setF] = useState({ q: "", userId: "", status: "", riskLevel: "", from: "", to: "" });
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const filter = {
    q: f.q.trim() || undefined,
    userId: f.userId.trim() || undefined,
    status: (f.status || undefined) as CommandFilter["status"],
    riskLevel: (f.riskLevel || undefined) as CommandFilter["riskLevel"],
    from: isoOf(f.from),
    to: isoOf(f.to),
  };
  const q = useQuery({
    queryKey: ["commands", filter, page],
    queryFn: () => listCommands(filter, page),
    placeholderData: keepPreviousData,
  });
  const set = (patch: Partial<typeof f>) => {
    setF({ ...f, ...patch });
    setPage(1);
  };
  const pages = q.data ? Math.max(1, Math.ceil(q.data.pagination.total / q.data.pagination.page_size)) : 1;
  return (
    <section aria-labelledby="commands-title">
      <div class="heading">
        <h1 id="commands-title">Commands</h1>
        {q.data && (
          <span class="count">
            {q.data.pagination.total} {q.data.pagination.total === 1 ? "command" : "commands"}
          </span>
        )}
      </div>
      <div class="toolbar filters">
        <label for="cmd-search" class="sr-only">
          Search commands
        </label>
        <input
          id="cmd-search"
          type="search"
          placeholder="Search command text"
          value={f.q}
          onInput={(e) => set({ q: e.currentTarget.value })}
        />
        <label for="cmd-user" class="sr-only">
          User id
        </label>
        <input
          id="cmd-user"
          type="search"
          placeholder="User id"
          value={f.userId}
          onInput={(e) => set({ userId: e.currentTarget.value })}
        />
        <Select
          id="cmd-status"
          label="Status"
          value={f.status}
          options={COMMAND_STATUSES}
          set={(v) => set({ status: v })}
        />
        <Select
          id="cmd-risk"
          label="Risk"
          value={f.riskLevel}
          options={RISK_LEVELS}
          set={(v) => set({ riskLevel: v })}
        />
        <label for="cmd-from">From</label>
        <input
          id="cmd-from"
          type="datetime-local"
          value={f.from}
          onInput={(e) => set({ from: e.currentTarget.value })}
        />
        <label for="cmd-to">To</label>
        <input
          id="cmd-to"
          type="datetime-local"
          value={f.to}
          onInput={(e) => set({ to: e.currentTarget.value })}
        />
      </div>
      <DataTable
        query={q}
        rows={q.data?.data}
        what="commands"
        empty="No command matches these filters."
        rowKey={(c) => c.id}
        columns={[
          {
            label: "Command",
            cell: (c) => (
              <button
                type="button"
                class="link"
                aria-expanded={open === c.id}
                aria-controls={`cmd-${c.id}`}
                onClick={() => setOpen(open === c.id ? null : c.id)}
              >
                <code>{c.command}</code>
              </button>
            ),
          },
          { label: "Status", cell: (c) => <span class={`badge cmd-${c.status}`}>{c.status}</span> },
          { label: "Risk", cell: (c) => <span class={`badge risk-${c.risk_level}`}>{c.risk_level}</span> },
          { label: "User", cell: (c) => <code class="muted">{c.user_id.slice(0, 8)}</code> },
          { label: "When", cell: (c) => when(c.executed_at) },
        ]}
        detail={(c) => (open === c.id ? { id: `cmd-${c.id}`, content: <Detail c={c} /> } : null)}
        paging={{ page, pages, onPage: setPage }}
      />
    </section>
  );
}
