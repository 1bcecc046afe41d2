// Agents › "Add an agent": asks the server for a one-time enrolment token and shows it once, inside the
// exact `docker run` line to paste on the host. Closing the panel forgets the token; the server keeps only
// its hash, so nobody can show it again.
import { useMutation } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { createEnrollmentToken } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { Alert } from "../../ui/states.tsx";
import { dockerRunLine } from "./docker-run.ts";

export function EnrolAgent({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [minutes, setMinutes] = useState("60");
  const make = useMutation({
    mutationFn: () => createEnrollmentToken(name.trim(), Number(minutes)),
  });
  if (make.data) {
    const line = dockerRunLine({ url: location.origin, token: make.data.token, name: name.trim() });
    return (
      <section class="card" aria-labelledby="enrol-title">
        <h2 id="enrol-title">Run the agent</h2>
        <Alert kind="info">
          Shown once. The token works for one enrolment until{" "}
          {new Date(make.data.expires_at).toLocaleString()}.
        </Alert>
        <p>On the host that will run the agent, paste:</p>
        <pre id="docker-run-line" class="secret">
          <code>{line}</code>
        </pre>
        <div class="actions">
          <button type="button" onClick={() => navigator.clipboard?.writeText(line)}>
            Copy
          </button>
          <button type="button" class="primary" onClick={onClose}>
            Done
          </button>
        </div>
      </section>
    );
  }
  return (
    <Form
      title="Add an agent"
      save={make}
      onSubmit={() => make.mutate()}
      onCancel={onClose}
      submitLabel="Create enrolment token"
      busyLabel="Creating…"
    >
      <Field
        id="agent-name"
        label="Agent name"
        name="name"
        hint="Optional; the host name is used when empty."
      >
        <input id="agent-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field id="agent-expiry" label="Token valid for" name="expires_in_minutes">
        <select id="agent-expiry" value={minutes} onChange={(e) => setMinutes(e.currentTarget.value)}>
          <option value="15">15 minutes</option>
          <option value="60">1 hour</option>
          <option value="1440">1 day</option>
          <option value="10080">7 days</option>
        </select>
      </Field>
    </Form>
  );
}
