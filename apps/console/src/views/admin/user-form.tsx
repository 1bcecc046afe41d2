// Users › the create and edit form: name, email, role, and (on create) a first password the person changes
// later. Field problems from the server appear under their field.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ApiFailure, createUser, listRoles, type User, updateUser } from "../../api/index.ts";
import { fieldErrors } from "../../api/messages.ts";
import { Field } from "../../ui/field.tsx";
import { Failed } from "../../ui/states.tsx";

export function UserForm({ user, onClose }: { user?: User; onClose: () => void }) {
  const qc = useQueryClient();
  const roles = useQuery({ queryKey: ["roles"], queryFn: listRoles });
  const [f, setF] = useState({
    name: user?.name ?? "",
    email: user?.email ?? "",
    roleId: user?.role_id ?? "",
    password: "",
  });
  const save = useMutation({
    mutationFn: () =>
      user
        ? updateUser(user.id, { name: f.name.trim(), email: f.email.trim(), roleId: f.roleId })
        : createUser({ name: f.name.trim(), email: f.email.trim(), roleId: f.roleId, password: f.password }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["users"] });
      onClose();
    },
  });
  const errors = save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
  const title = user ? `Edit ${user.name}` : "New user";
  return (
    <form
      class="form card"
      aria-labelledby="user-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 id="user-form-title">{title}</h2>
      <fieldset disabled={save.isPending}>
        <Field id="u-name" label="Full name" error={errors.name}>
          <input
            id="u-name"
            required
            value={f.name}
            onInput={(e) => setF({ ...f, name: e.currentTarget.value })}
          />
        </Field>
        <Field id="u-email" label="Email" error={errors.email}>
          <input
            id="u-email"
            type="email"
            required
            autocomplete="off"
            value={f.email}
            onInput={(e) => setF({ ...f, email: e.currentTarget.value })}
          />
        </Field>
        <Field id="u-role" label="Role" error={errors.role_id}>
          <select
            id="u-role"
            required
            value={f.roleId}
            onChange={(e) => setF({ ...f, roleId: e.currentTarget.value })}
          >
            <option value="">{roles.isPending ? "Loading roles…" : "Choose a role"}</option>
            {roles.data?.roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        {!user && (
          <Field
            id="u-password"
            label="First password"
            hint="At least 12 characters."
            error={errors.password}
          >
            <input
              id="u-password"
              type="password"
              required
              minLength={12}
              autocomplete="new-password"
              value={f.password}
              onInput={(e) => setF({ ...f, password: e.currentTarget.value })}
            />
          </Field>
        )}
      </fieldset>
      {save.isError && !Object.keys(errors).length && <Failed error={save.error} />}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : user ? "Save user" : "Create user"}
        </button>
      </div>
    </form>
  );
}
