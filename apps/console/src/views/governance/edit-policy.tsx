// Tenant console › Policies › Edit: a policy's name, description, whether it is on, what to do with a line
// the parser cannot check, and whom it applies to (roles and connections; none ticked: everyone and
// everything), then its rules (policy-rules.tsx). The lists of roles and connections are read only when the
// caller may read them; the server checks every change again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import {
  deletePolicy,
  getPolicy,
  listConnections,
  listRoles,
  type Policy,
  UNCHECKABLE_ACTIONS,
  updatePolicy,
} from "../../api/index.ts";
import { can } from "../../shell/nav.ts";
import { currentUser } from "../../state/session.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { Alert, Failed, Loading } from "../../ui/states.tsx";
import { PolicyRules } from "./policy-rules.tsx";

function Choices(props: {
  legend: string;
  hint: string;
  options: { id: string; name: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <p class="muted">{props.hint}</p>
      <div class="toggles">
        {props.options.map((o) => (
          <label key={o.id}>
            <input
              type="checkbox"
              checked={props.chosen.includes(o.id)}
              onChange={() =>
                props.onChange(
                  props.chosen.includes(o.id)
                    ? props.chosen.filter((x) => x !== o.id)
                    : [...props.chosen, o.id],
                )
              }
            />{" "}
            {o.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function PolicyForm({ policy }: { policy: Policy }) {
  const qc = useQueryClient();
  const me = currentUser.value;
  const roles = useQuery({ queryKey: ["roles"], queryFn: listRoles, enabled: can(me, "user:read") });
  const connections = useQuery({
    queryKey: ["connections", ""],
    queryFn: () => listConnections(""),
    enabled: can(me, "connection:read"),
  });
  const [f, setF] = useState({
    name: policy.name,
    description: policy.description,
    is_active: policy.is_active,
    uncheckable_action: policy.uncheckable_action,
    applies_to_roles: policy.applies_to_roles,
    applies_to_connections: policy.applies_to_connections,
  });
  const save = useMutation({
    mutationFn: () =>
      updatePolicy(policy.id, { ...f, name: f.name.trim(), description: f.description.trim() }),
    onSuccess: async (saved) => {
      qc.setQueryData(["policy", policy.id], saved);
      await qc.invalidateQueries({ queryKey: ["policies"] });
    },
  });
  return (
    <Form title="Policy" save={save} onSubmit={() => save.mutate()} submitLabel="Save policy">
      <Field id="ep-name" label="Name" name="name">
        <input
          id="ep-name"
          required
          value={f.name}
          onInput={(e) => setF({ ...f, name: e.currentTarget.value })}
        />
      </Field>
      <Field id="ep-description" label="Description" name="description">
        <input
          id="ep-description"
          value={f.description}
          onInput={(e) => setF({ ...f, description: e.currentTarget.value })}
        />
      </Field>
      <Field id="ep-uncheckable" label="A command the parser cannot check" name="uncheckable_action">
        <select
          id="ep-uncheckable"
          value={f.uncheckable_action}
          onChange={(e) =>
            setF({ ...f, uncheckable_action: e.currentTarget.value as Policy["uncheckable_action"] })
          }
        >
          {UNCHECKABLE_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a.replace("_", " ")}
            </option>
          ))}
        </select>
      </Field>
      <label class="check">
        <input
          type="checkbox"
          checked={f.is_active}
          onChange={(e) => setF({ ...f, is_active: e.currentTarget.checked })}
        />{" "}
        Active
      </label>
      {roles.data && (
        <Choices
          legend="Applies to roles"
          hint="None ticked: every role."
          options={roles.data.roles}
          chosen={f.applies_to_roles}
          onChange={(ids) => setF({ ...f, applies_to_roles: ids })}
        />
      )}
      {connections.data && (
        <Choices
          legend="Applies to connections"
          hint="None ticked: every connection."
          options={connections.data.data}
          chosen={f.applies_to_connections}
          onChange={(ids) => setF({ ...f, applies_to_connections: ids })}
        />
      )}
      {save.isSuccess && <Alert kind="ok">Policy saved (version {save.data.version}).</Alert>}
    </Form>
  );
}

/** Deleting the whole policy, after a confirmation; back to the list once it is gone. */
function DeletePolicy({ policy }: { policy: Policy }) {
  const qc = useQueryClient();
  const { route } = useLocation();
  const [asking, setAsking] = useState(false);
  const remove = useMutation({
    mutationFn: () => deletePolicy(policy.id),
    onSuccess: async () => {
      qc.removeQueries({ queryKey: ["policy", policy.id] });
      await qc.invalidateQueries({ queryKey: ["policies"] });
      route("/policies");
    },
  });
  return (
    <section aria-labelledby="delete-policy-title">
      <h2 id="delete-policy-title">Delete this policy</h2>
      <p class="muted">Its rules stop applying at once; commands already logged keep their record.</p>
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Delete policy<span class="sr-only"> {policy.name}</span>
      </button>
      {asking && (
        <Confirm
          title={`Delete the policy ${policy.name}?`}
          confirmLabel="Delete policy"
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setAsking(false)}
        >
          <p>
            Its {policy.blocked_commands.length} {policy.blocked_commands.length === 1 ? "rule" : "rules"}{" "}
            stop applying at once.
          </p>
          {remove.isError && <Failed error={remove.error} />}
        </Confirm>
      )}
    </section>
  );
}

export function EditPolicy() {
  const { params } = useRoute();
  const id = params.id ?? "";
  const q = useQuery({ queryKey: ["policy", id], queryFn: () => getPolicy(id) });
  return (
    <section aria-labelledby="edit-policy-title">
      <p>
        <a href="/policies">← Policies</a>
      </p>
      <h1 id="edit-policy-title">Edit policy{q.data ? ` ${q.data.name}` : ""}</h1>
      {q.isPending ? (
        <Loading what="the policy" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : (
        <>
          <PolicyForm key={q.data.id} policy={q.data} />
          <PolicyRules policy={q.data} />
          <DeletePolicy policy={q.data} />
        </>
      )}
    </section>
  );
}
