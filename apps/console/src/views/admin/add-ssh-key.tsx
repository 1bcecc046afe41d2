// SSH keys › "Add a key": generate one on the server (the private key never leaves it) or import an
// existing private key, sent once and stored encrypted. Neither answer contains the private key.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { generateSshKey, importSshKey } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

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
  return (
    <Form
      title="Add an SSH key"
      save={save}
      onSubmit={() => save.mutate()}
      onCancel={onClose}
      submitLabel={mode === "generate" ? "Generate key" : "Import key"}
    >
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
      <Field id="k-name" label="Key name" name="name">
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
            name="private_key"
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
          <Field id="k-passphrase" label="Passphrase" name="passphrase">
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
    </Form>
  );
}
