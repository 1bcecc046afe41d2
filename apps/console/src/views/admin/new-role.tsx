// Roles › "New role": a name, a description and the permissions to grant; field problems from the server
// appear under their field.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ApiFailure, createRole } from "../../api/index.ts";
import { fieldErrors } from "../../api/messages.ts";
import { describedBy, Field } from "../../ui/field.tsx";
import { Failed } from "../../ui/states.tsx";

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
  const errors = save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
  return (
    <form
      class="form card"
      aria-labelledby="new-role-title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 id="new-role-title">New role</h2>
      <fieldset disabled={save.isPending}>
        <Field id="role-name" label="Role name" error={errors.name}>
          <input
            id="role-name"
            required
            maxLength={64}
            value={name}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy("role-name", undefined, errors.name)}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id="role-description" label="Description" error={errors.description}>
          <input
            id="role-description"
            maxLength={500}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
      </fieldset>
      <fieldset disabled={save.isPending} class="toggles">
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
      {save.isError && !Object.keys(errors).length && <Failed error={save.error} />}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={save.isPending}>
          {save.isPending ? "Creating…" : "Create role"}
        </button>
      </div>
    </form>
  );
}
