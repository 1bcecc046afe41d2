// SSH keys › "Add a key": generate one on the server (the private key never leaves it) or import an
// existing private key, sent once and stored encrypted. Neither answer contains the private key.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ApiFailure, generateSshKey, importSshKey } from "../../api/index.ts";
import { fieldErrors } from "../../api/messages.ts";
import { Field } from "../../ui/field.tsx";
import { Failed } from "../../ui/states.tsx";

export function AddSshKey({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<"generate" | "import">("generate");
  const [name, setName] = useState("");
  const [privateKey, setPrivateKey] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const save = useMutation({
    mutationFn: () =>
      mode === "generate"
        ? generateSshKey(name.trim())
        : importSshKey({ name: name.trim(), privateKey, passphrase: passphrase || undefined }),
    onSuccess: async () => {
      setPrivateKey("");
      setPassphrase("");
      await qc.invalidateQueries({ queryKey: ["ssh-keys"] });
      onClose();
    },
  });
  const errors = save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
  return (
    <form
      class="form card"
      aria-labelledby="add-key-title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 id="add-key-title">Add an SSH key</h2>
      <fieldset disabled={save.isPending}>
        <div class="radios" role="radiogroup" aria-label="How">
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "generate"}
              onChange={() => setMode("generate")}
            />{" "}
            Generate on the server
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === "import"} onChange={() => setMode("import")} />{" "}
            Import a private key
          </label>
        </div>
        <Field id="k-name" label="Key name" error={errors.name}>
          <input
            id="k-name"
            required
            maxLength={200}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        {mode === "import" && (
          <>
            <Field
              id="k-private"
              label="Private key"
              hint="OpenSSH or PEM. Stored encrypted; never shown again."
              error={errors.private_key}
            >
              <textarea
                id="k-private"
                required
                rows={6}
                spellcheck={false}
                autocomplete="off"
                value={privateKey}
                onInput={(e) => setPrivateKey(e.currentTarget.value)}
              />
            </Field>
            <Field id="k-passphrase" label="Passphrase" error={errors.passphrase}>
              <input
                id="k-passphrase"
                type="password"
                autocomplete="off"
                value={passphrase}
                onInput={(e) => setPassphrase(e.currentTarget.value)}
              />
            </Field>
          </>
        )}
      </fieldset>
      {save.isError && !Object.keys(errors).length && <Failed error={save.error} />}
      <div class="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : mode === "generate" ? "Generate key" : "Import key"}
        </button>
      </div>
    </form>
  );
}
