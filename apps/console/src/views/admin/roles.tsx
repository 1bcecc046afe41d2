// Tenant console › Roles: the permission matrix of every role, "New role" and editing or deleting custom
// roles (rename, permissions, delete) for callers with user:manage_roles. Predefined roles are read-only
// here and on the server.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { deleteRole, listRoles, type Role, updateRole } from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";
import { NewRole } from "./new-role.tsx";
import { PermissionMatrix } from "./permission-matrix.tsx";
import { RenameRole } from "./rename-role.tsx";

export function Roles() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["roles"], queryFn: listRoles });
  const mayManage = can(currentUser.value, "user:manage_roles");
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState<Record<string, string[]>>({});
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      Promise.all(Object.entries(draft).map(([id, permissions]) => updateRole(id, { permissions }))),
    onSuccess: async () => {
      setDraft({});
      await qc.invalidateQueries({ queryKey: ["roles"] });
    },
  });
  const remove = useMutation({
    mutationFn: (r: Role) => deleteRole(r.id),
    onSuccess: async () => {
      setDeleting(null);
      await qc.invalidateQueries({ queryKey: ["roles"] });
    },
  });
  const toggle = (r: Role, p: string) => {
    const now = draft[r.id] ?? r.permissions;
    setDraft({ ...draft, [r.id]: now.includes(p) ? now.filter((x) => x !== p) : [...now, p] });
  };
  const custom = q.data?.roles.filter((r) => !r.is_system) ?? [];
  // Predefined roles first, then the organization's own, each in the server's order.
  const columns = [...(q.data?.roles.filter((r) => r.is_system) ?? []), ...custom];
  return (
    <section aria-labelledby="roles-title">
      <div class="heading">
        <h1 id="roles-title">Roles</h1>
        {mayManage && !adding && (
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            New role
          </button>
        )}
      </div>
      {q.isPending ? (
        <Loading what="roles" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : (
        <>
          {adding && <NewRole permissions={q.data.permissions} onClose={() => setAdding(false)} />}
          <PermissionMatrix
            roles={columns}
            permissions={q.data.permissions}
            editable={mayManage}
            draft={draft}
            onToggle={toggle}
          />
          {Object.keys(draft).length > 0 && (
            <div class="actions">
              <button type="button" onClick={() => setDraft({})} disabled={save.isPending}>
                Discard
              </button>
              <button type="button" class="primary" onClick={() => save.mutate()} disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save changes"}
              </button>
            </div>
          )}
          {save.isError && <Failed error={save.error} />}
          {save.isSuccess && <Alert kind="ok">Roles saved.</Alert>}
          {mayManage && custom.length > 0 && (
            <>
              <h2>Custom roles</h2>
              <ul class="role-list">
                {custom.map((r) => (
                  <li key={r.id}>
                    <strong>{r.name}</strong> {r.description && <span class="muted">{r.description}</span>}{" "}
                    <span class="muted">· {r.user_count} users</span>{" "}
                    <button
                      type="button"
                      class="small"
                      aria-expanded={renaming === r.id}
                      onClick={() => setRenaming(renaming === r.id ? null : r.id)}
                    >
                      Rename<span class="sr-only"> role {r.name}</span>
                    </button>{" "}
                    <button type="button" class="small danger" onClick={() => setDeleting(r)}>
                      Delete<span class="sr-only"> role {r.name}</span>
                    </button>
                    {renaming === r.id && <RenameRole role={r} onClose={() => setRenaming(null)} />}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {deleting && (
        <Confirm
          title={`Delete the role ${deleting.name}?`}
          confirmLabel="Delete role"
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>Users who still hold it must be given another role first.</p>
          {remove.isError && <Failed error={remove.error} />}
        </Confirm>
      )}
    </section>
  );
}
