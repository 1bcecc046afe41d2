// Users › the create and edit form: name, email, role, and (on create) a first password the person changes
// later. Field problems from the server appear under their field.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { createUser, listRoles, type User, updateUser } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

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
  return (
    <Form
      title={user ? `Edit ${user.name}` : "New user"}
      save={save}
      onSubmit={() => save.mutate()}
      onCancel={onClose}
      submitLabel={user ? "Save user" : "Create user"}
    >
      <Field id="u-name" label="Full name" name="name">
        <input
          id="u-name"
          required
          value={f.name}
          onInput={(e) => setF({ ...f, name: e.currentTarget.value })}
        />
      </Field>
      <Field id="u-email" label="Email" name="email">
        <input
          id="u-email"
          type="email"
          required
          autocomplete="off"
          value={f.email}
          onInput={(e) => setF({ ...f, email: e.currentTarget.value })}
        />
      </Field>
      <Field id="u-role" label="Role" name="role_id">
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
        <Field id="u-password" label="First password" hint="At least 12 characters." name="password">
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
    </Form>
  );
}
