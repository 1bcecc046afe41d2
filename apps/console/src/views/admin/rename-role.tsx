// Roles › renaming a custom role: its name and description (its permissions change in the matrix).
// Predefined roles never get this form; the server refuses to change them as well.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { type Role, updateRole } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

export function RenameRole({ role, onClose }: { role: Role; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description);
  const save = useMutation({
    mutationFn: () => updateRole(role.id, { name: name.trim(), description: description.trim() }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["roles"] });
      onClose();
    },
  });
  return (
    <Form
      title={`Rename ${role.name}`}
      save={save}
      onSubmit={() => save.mutate()}
      onCancel={onClose}
      submitLabel="Save role"
    >
      <Field id={`rr-${role.id}-name`} label="Role name" name="name">
        <input
          id={`rr-${role.id}-name`}
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <Field id={`rr-${role.id}-description`} label="Description" name="description">
        <input
          id={`rr-${role.id}-description`}
          maxLength={500}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </Field>
    </Form>
  );
}
