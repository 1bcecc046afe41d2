// Tenant console › Users: the organization's people with their role, 2FA and last sign-in; create, edit and
// deactivate (with a confirmation: the server ends their logins at once) by permission.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { listUsers, type User, updateUser } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";
import { UserForm } from "./user-form.tsx";

export function Users() {
  const qc = useQueryClient();
  const [search, setSearch] = useState("");
  const q = useQuery({ queryKey: ["users", search.trim()], queryFn: () => listUsers(search.trim()) });
  const me = currentUser.value;
  const mayCreate = can(me, "user:create");
  const mayUpdate = can(me, "user:update");
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const active = useMutation({
    mutationFn: (v: { user: User; isActive: boolean }) => updateUser(v.user.id, { isActive: v.isActive }),
    onSuccess: async () => {
      setDeactivating(null);
      await qc.invalidateQueries({ queryKey: ["users"] });
    },
  });
  return (
    <section aria-labelledby="users-title">
      <div class="heading">
        <h1 id="users-title">Users</h1>
        {mayCreate && !editing && (
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            New user
          </button>
        )}
      </div>
      {editing && (
        <UserForm
          key={editing === "new" ? "new" : editing.id}
          user={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <div class="toolbar">
        <label for="user-search" class="sr-only">
          Search users
        </label>
        <input
          id="user-search"
          type="search"
          placeholder="Search by name or email"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {q.data && <span class="count">{q.data.pagination.total} users</span>}
      </div>
      {active.isError && <Failed error={active.error} />}
      <DataTable
        query={q}
        rows={q.data?.data}
        what="users"
        empty={search.trim() ? `No user matches “${search.trim()}”.` : "No users yet."}
        rowKey={(u) => u.id}
        columns={[
          {
            label: "Name",
            cell: (u) => (
              <>
                <strong>{u.name}</strong>
                <div class="muted">{u.email}</div>
              </>
            ),
          },
          { label: "Role", cell: (u) => u.role_name || "—" },
          {
            label: "Status",
            cell: (u) => (
              <>
                <span class={`badge ${u.is_active ? "status-active" : "status-suspended"}`}>
                  {u.is_active ? "active" : "deactivated"}
                </span>
              </>
            ),
          },
          { label: "2FA", cell: (u) => (u.two_factor_enabled ? "on" : "off") },
          {
            label: "Last sign-in",
            cell: (u) => (u.last_login ? new Date(u.last_login).toLocaleString() : "never"),
          },
          mayUpdate && {
            label: "Actions",
            actions: true,
            cell: (u) => (
              <>
                <button type="button" class="small" onClick={() => setEditing(u)}>
                  Edit<span class="sr-only"> {u.name}</span>
                </button>{" "}
                {u.id === me?.id ? null : u.is_active ? (
                  <button type="button" class="small danger" onClick={() => setDeactivating(u)}>
                    Deactivate<span class="sr-only"> {u.name}</span>
                  </button>
                ) : (
                  <button
                    type="button"
                    class="small"
                    disabled={active.isPending}
                    onClick={() => active.mutate({ user: u, isActive: true })}
                  >
                    Reactivate<span class="sr-only"> {u.name}</span>
                  </button>
                )}
              </>
            ),
          },
        ]}
      />
      {deactivating && (
        <Confirm
          title={`Deactivate ${deactivating.name}?`}
          confirmLabel="Deactivate"
          danger
          busy={active.isPending}
          onConfirm={() => active.mutate({ user: deactivating, isActive: false })}
          onCancel={() => setDeactivating(null)}
        >
          <p>They are signed out everywhere now and cannot sign in until reactivated.</p>
        </Confirm>
      )}
    </section>
  );
}
