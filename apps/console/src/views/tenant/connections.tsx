// Tenant console › Connections: the organization's servers with a search; "New connection" for roles that
// may create one.
import { useMutation, useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { type Connection, listConnections, sessionPath, startSession } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";

export function Connections() {
  const [search, setSearch] = useState("");
  const q = useQuery({
    queryKey: ["connections", search.trim()],
    queryFn: () => listConnections(search.trim()),
  });
  const mayCreate = can(currentUser.value, "connection:create");
  const mayStart = can(currentUser.value, "session:start");
  const { route } = useLocation();
  const open = useMutation({
    // The owner's window size follows once the terminal is on screen; this is only the first guess.
    mutationFn: (c: Connection) => startSession(c.id, 120, 30),
    onSuccess: (s) => route(sessionPath(s)),
  });
  return (
    <section aria-labelledby="connections-title">
      <div class="heading">
        <h1 id="connections-title">Connections</h1>
        {mayCreate && (
          <a class="button primary" href="/connections/new">
            New connection
          </a>
        )}
      </div>
      <div class="toolbar">
        <label for="connection-search" class="sr-only">
          Search connections
        </label>
        <input
          id="connection-search"
          type="search"
          placeholder="Search by name, host or description"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {q.data && <span class="count">{q.data.pagination.total} connections</span>}
      </div>
      {open.isError && <Failed error={open.error} />}
      <DataTable
        query={q}
        rows={q.data?.data}
        what="connections"
        empty={
          search.trim()
            ? `No connection matches “${search.trim()}”.`
            : mayCreate
              ? "No connections yet. Add the first server."
              : "No connections yet."
        }
        rowKey={(c) => c.id}
        columns={[
          {
            label: "Name",
            cell: (c) => (
              <>
                <strong>{c.name}</strong>
                {c.description && <div class="muted">{c.description}</div>}
              </>
            ),
          },
          {
            label: "Address",
            cell: (c) => (
              <>
                <code>
                  {c.hostname}:{c.port}
                </code>
              </>
            ),
          },
          { label: "User", cell: (c) => c.username },
          { label: "Type", cell: (c) => c.type },
          {
            label: "Environment",
            cell: (c) => <span class={`badge env-${c.environment}`}>{c.environment}</span>,
          },
          { label: "Status", cell: (c) => c.status },
          { label: "Tags", cell: (c) => c.tags.join(", ") || "—" },
          mayStart && {
            label: "Actions",
            actions: true,
            cell: (c) =>
              (c.type === "ssh" || c.type === "rdp" || c.type === "vnc") &&
              c.status === "active" && (
                <button
                  type="button"
                  class="small primary"
                  disabled={open.isPending}
                  onClick={() => open.mutate(c)}
                >
                  {open.isPending && open.variables?.id === c.id
                    ? "Opening…"
                    : c.type === "rdp" || c.type === "vnc"
                      ? "Open desktop"
                      : "Open terminal"}
                  <span class="sr-only"> on {c.name}</span>
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}
