// Tenant console › Connections: the organization's servers with a search; "New connection" for roles that
// may create one.
import { useMutation, useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { type Connection, listConnections, startSession } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Empty, Failed, Loading } from "../../ui/states.tsx";

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
    onSuccess: (s) => route(`/terminal/${s.id}`),
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
      {q.isPending ? (
        <Loading what="connections" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>
          {search.trim()
            ? `No connection matches “${search.trim()}”.`
            : mayCreate
              ? "No connections yet. Add the first server."
              : "No connections yet."}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">User</th>
                <th scope="col">Type</th>
                <th scope="col">Environment</th>
                <th scope="col">Status</th>
                <th scope="col">Tags</th>
                {mayStart && (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {q.data.data.map((c) => (
                <tr key={c.id}>
                  <td data-label="Name">
                    <strong>{c.name}</strong>
                    {c.description && <div class="muted">{c.description}</div>}
                  </td>
                  <td data-label="Address">
                    <code>
                      {c.hostname}:{c.port}
                    </code>
                  </td>
                  <td data-label="User">{c.username}</td>
                  <td data-label="Type">{c.type}</td>
                  <td data-label="Environment">
                    <span class={`badge env-${c.environment}`}>{c.environment}</span>
                  </td>
                  <td data-label="Status">{c.status}</td>
                  <td data-label="Tags">{c.tags.join(", ") || "—"}</td>
                  {mayStart && (
                    <td>
                      {c.type === "ssh" && c.status === "active" && (
                        <button
                          type="button"
                          class="small primary"
                          disabled={open.isPending}
                          onClick={() => open.mutate(c)}
                        >
                          {open.isPending && open.variables?.id === c.id ? "Opening…" : "Open terminal"}
                          <span class="sr-only"> on {c.name}</span>
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
    </section>
  );
}
