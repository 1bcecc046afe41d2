// Tenant console › New connection: the seed's fields; the secret (password, or an imported SSH key) is
// write-only — sent once, stored encrypted, never shown again; a telnet connection takes none (the user
// logs in at the server's own prompt). Field problems appear under their field.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import {
  CONNECTION_TYPES,
  createConnection,
  ENVIRONMENTS,
  type NewConnection as Input,
  listSshKeys,
} from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";

const DEFAULT_PORT: Record<string, number> = { ssh: 22, rdp: 3389, vnc: 5900, telnet: 23 };

export function NewConnection() {
  const { route } = useLocation();
  const qc = useQueryClient();
  const [f, setF] = useState({
    name: "",
    hostname: "",
    port: "",
    username: "",
    password: "",
    description: "",
    tags: "",
  });
  const [type, setType] = useState<Input["type"]>("ssh");
  const [authMethod, setAuthMethod] = useState<Input["authMethod"]>("password");
  const telnet = type === "telnet";
  const [sshKeyId, setSshKeyId] = useState("");
  const [environment, setEnvironment] = useState<Input["environment"]>("development");
  const keys = useQuery({ queryKey: ["ssh-keys"], queryFn: listSshKeys, enabled: authMethod === "ssh_key" });
  const save = useMutation({
    mutationFn: () =>
      createConnection({
        name: f.name,
        type,
        hostname: f.hostname,
        port: f.port ? Number(f.port) : undefined,
        username: f.username,
        authMethod: telnet ? "password" : authMethod,
        password: authMethod === "password" && !telnet ? f.password : undefined,
        sshKeyId: authMethod === "ssh_key" && !telnet ? sshKeyId : undefined,
        environment,
        description: f.description.trim() || undefined,
        tags: f.tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["connections"] });
      route("/connections");
    },
  });
  const text = (
    key: keyof typeof f,
    label: string,
    opts: { type?: string; hint?: string; required?: boolean; placeholder?: string } = {},
  ) => (
    <Field id={`c-${key}`} label={label} hint={opts.hint} name={key}>
      <input
        id={`c-${key}`}
        name={key}
        type={opts.type ?? "text"}
        required={opts.required}
        placeholder={opts.placeholder}
        autocomplete={opts.type === "password" ? "new-password" : "off"}
        value={f[key]}
        onInput={(e) => setF({ ...f, [key]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <section aria-labelledby="new-connection-title">
      <p>
        <a href="/connections">← Connections</a>
      </p>
      <h1 id="new-connection-title">New connection</h1>
      <Form
        class="form"
        label="New connection"
        save={save}
        onSubmit={() => save.mutate()}
        cancelHref="/connections"
        submitLabel="Create connection"
      >
        <fieldset>
          <legend>Server</legend>
          {text("name", "Name", { required: true })}
          <Field id="c-type" label="Type" name="type">
            <select
              id="c-type"
              value={type}
              onChange={(e) => setType(e.currentTarget.value as Input["type"])}
            >
              {CONNECTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </Field>
          {text("hostname", "Host", { required: true, hint: "A DNS name, an IPv4 or an IPv6 address." })}
          {text("port", "Port", { type: "number", placeholder: String(DEFAULT_PORT[type]) })}
          <Field id="c-environment" label="Environment" name="environment">
            <select
              id="c-environment"
              value={environment}
              onChange={(e) => setEnvironment(e.currentTarget.value as Input["environment"])}
            >
              {ENVIRONMENTS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </Field>
          {text("tags", "Tags", { hint: "Comma-separated, e.g. web, eu" })}
          {text("description", "Description")}
        </fieldset>
        <fieldset>
          <legend>Sign-in on the server</legend>
          {text("username", "User", { required: true })}
          {telnet ? (
            <p class="muted">
              No credential is stored for telnet: the user logs in at the server's own prompt, in the
              terminal.
            </p>
          ) : (
            <>
              <div class="radios" role="radiogroup" aria-label="Authentication">
                <label>
                  <input
                    type="radio"
                    name="auth"
                    checked={authMethod === "password"}
                    onChange={() => setAuthMethod("password")}
                  />{" "}
                  Password
                </label>
                <label>
                  <input
                    type="radio"
                    name="auth"
                    checked={authMethod === "ssh_key"}
                    disabled={type !== "ssh"}
                    onChange={() => setAuthMethod("ssh_key")}
                  />{" "}
                  SSH key
                </label>
              </div>
              {authMethod === "password" ? (
                text("password", "Password", {
                  type: "password",
                  required: true,
                  hint: "Stored encrypted; never shown again.",
                })
              ) : (
                <Field
                  id="c-key"
                  label="SSH key"
                  name="ssh_key_id"
                  hint={keys.data?.data.length === 0 ? "No SSH keys yet: import one first." : undefined}
                >
                  <select
                    id="c-key"
                    value={sshKeyId}
                    required
                    onChange={(e) => setSshKeyId(e.currentTarget.value)}
                  >
                    <option value="">{keys.isPending ? "Loading keys…" : "Choose a key"}</option>
                    {keys.data?.data.map((k) => (
                      <option key={k.id} value={k.id}>
                        {k.name} ({k.fingerprint})
                      </option>
                    ))}
                  </select>
                </Field>
              )}
            </>
          )}
        </fieldset>
      </Form>
    </section>
  );
}
