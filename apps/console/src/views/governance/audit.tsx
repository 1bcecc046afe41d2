// Tenant console › Audit log: the organization's events, newest first, filtered by type, category,
// status and time; "Load more" follows the server's cursor. Roles that may export download the same
// filtered log as CSV or NDJSON.
import { useInfiniteQuery, useMutation } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  AUDIT_CATEGORIES,
  AUDIT_EVENT_TYPES,
  AUDIT_STATUSES,
  type AuditFilter,
  exportAudit,
  listAudit,
} from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";
import { saveFile } from "./save-file.ts";
import { isoOf, when } from "./time-range.ts";

export function Audit() {
  const [f, setF] = useState({ type: "", category: "", status: "", from: "", to: "" });
  const filter: AuditFilter = {
    type: (f.type || undefined) as AuditFilter["type"],
    category: (f.category || undefined) as AuditFilter["category"],
    status: (f.status || undefined) as AuditFilter["status"],
    from: isoOf(f.from),
    to: isoOf(f.to),
  };
  const q = useInfiniteQuery({
    queryKey: ["audit", filter],
    queryFn: ({ pageParam }) => listAudit(filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.pagination.next_cursor ?? undefined,
  });
  const mayExport = can(currentUser.value, "audit:export");
  const exporter = useMutation({
    mutationFn: (format: "csv" | "ndjson") => exportAudit(filter, format),
    onSuccess: (file, format) =>
      saveFile(file.blob, file.fileName ?? `audit.${format === "csv" ? "csv" : "ndjson"}`),
  });
  const events = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-labelledby="audit-title">
      <div class="heading">
        <h1 id="audit-title">Audit log</h1>
        {mayExport && (
          <div class="actions">
            <button type="button" disabled={exporter.isPending} onClick={() => exporter.mutate("csv")}>
              Export CSV
            </button>
            <button type="button" disabled={exporter.isPending} onClick={() => exporter.mutate("ndjson")}>
              Export NDJSON
            </button>
          </div>
        )}
      </div>
      {exporter.isError && <Failed error={exporter.error} />}
      <div class="toolbar filters">
        <label for="audit-type" class="sr-only">
          Event type
        </label>
        <select id="audit-type" value={f.type} onChange={(e) => setF({ ...f, type: e.currentTarget.value })}>
          <option value="">Event: any</option>
          {AUDIT_EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label for="audit-category" class="sr-only">
          Category
        </label>
        <select
          id="audit-category"
          value={f.category}
          onChange={(e) => setF({ ...f, category: e.currentTarget.value })}
        >
          <option value="">Category: any</option>
          {AUDIT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <label for="audit-status" class="sr-only">
          Status
        </label>
        <select
          id="audit-status"
          value={f.status}
          onChange={(e) => setF({ ...f, status: e.currentTarget.value })}
        >
          <option value="">Status: any</option>
          {AUDIT_STATUSES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <label for="audit-from">From</label>
        <input
          id="audit-from"
          type="datetime-local"
          value={f.from}
          onInput={(e) => setF({ ...f, from: e.currentTarget.value })}
        />
        <label for="audit-to">To</label>
        <input
          id="audit-to"
          type="datetime-local"
          value={f.to}
          onInput={(e) => setF({ ...f, to: e.currentTarget.value })}
        />
      </div>
      <DataTable
        query={q}
        rows={q.data ? events : undefined}
        what="the audit log"
        empty="No event matches these filters."
        rowKey={(e) => e.id}
        columns={[
          { label: "When", cell: (e) => when(e.timestamp) },
          {
            label: "Event",
            cell: (e) => (
              <>
                <code>{e.event_type}</code>
                <div class="muted">{e.event_category}</div>
              </>
            ),
          },
          { label: "Status", cell: (e) => <span class={`badge audit-${e.status}`}>{e.status}</span> },
          { label: "Who", cell: (e) => e.user_email ?? "—" },
          {
            label: "Description",
            cell: (e) => (
              <>
                {e.description}
                {e.error_message && <div class="muted">{e.error_message}</div>}
              </>
            ),
          },
          { label: "From", cell: (e) => e.ip_address || "—" },
        ]}
      />
      {q.hasNextPage && (
        <p>
          <button type="button" disabled={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>
            {q.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </section>
  );
}
