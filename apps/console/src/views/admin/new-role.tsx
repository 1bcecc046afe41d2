// Roles › "New role": a name, a description and the permissions to grant; field problems from the server
// appear under their field.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { createRole } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

export function NewRole({ permissions, onClose }: { permissions: string[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [granted, setGranted] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: () =>
      createRole({ name: name.trim(), description: description.trim(), permissions: granted }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["roles"] });
      onClose();
    },
  });
  return (
    <Form
      title="New role"
      save={save}
      onSubmit={() => save.mutate()}
      onCancel={onClose}
      submitLabel="Create role"
      busyLabel="Creating…"
    >
      <Field id="role-name" label="Role name" name="name">
        <input
          id="role-name"
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <Field id="role-description" label="Description" name="description">
        <input
          id="role-description"
          maxLength={500}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </Field>
      <fieldset class="toggles">
        <legend>Permissions</legend>
        {permissions.map((p) => (
          <label key={p}>
            <input
              type="checkbox"
              checked={granted.includes(p)}
              onChange={() =>
                setGranted(granted.includes(p) ? granted.filter((g) => g !== p) : [...granted, p])
              }
            />{" "}
            <code>{p}</code>
          </label>
        ))}
      </fieldset>
    </Form>
  );
}
