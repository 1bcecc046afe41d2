// Tenant console › New policy: a name, what to do with a command line the parser cannot check, and its
// first rules (name, pattern, how the pattern matches, severity). Field problems appear under their field;
// a bad rule's problem (an invalid regex) names the rule.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { createPolicy, type NewRule, UNCHECKABLE_ACTIONS } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";
import { Form } from "../../ui/form.tsx";
import { blankRule, RuleFields } from "./rule-fields.tsx";

export function NewPolicy() {
  const { route } = useLocation();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [isActive, setActive] = useState(true);
  const [uncheckable, setUncheckable] = useState<(typeof UNCHECKABLE_ACTIONS)[number]>("block");
  const [rules, setRules] = useState<NewRule[]>([blankRule()]);
  const save = useMutation({
    mutationFn: () =>
      createPolicy({
        name,
        description: description.trim(),
        isActive,
        uncheckableAction: uncheckable,
        rules: rules.filter((r) => r.name.trim() || r.pattern.trim()),
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["policies"] });
      route("/policies");
    },
  });
  const setRule = (i: number, patch: Partial<NewRule>) =>
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <section aria-labelledby="new-policy-title">
      <p>
        <a href="/policies">← Policies</a>
      </p>
      <h1 id="new-policy-title">New policy</h1>
      <Form
        class="form"
        label="New policy"
        save={save}
        onSubmit={() => save.mutate()}
        cancelHref="/policies"
        submitLabel="Create policy"
        busyLabel="Creating…"
      >
        <fieldset>
          <legend>Policy</legend>
          <Field id="p-name" label="Name" name="name">
            <input id="p-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field id="p-description" label="Description" name="description">
            <input
              id="p-description"
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          </Field>
          <Field
            id="p-uncheckable"
            label="A command the parser cannot check"
            hint="Command substitution, eval, a here-document: what to do when the line cannot be checked."
          >
            <select
              id="p-uncheckable"
              value={uncheckable}
              onChange={(e) => setUncheckable(e.currentTarget.value as (typeof UNCHECKABLE_ACTIONS)[number])}
            >
              {UNCHECKABLE_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a.replace("_", " ")}
                </option>
              ))}
            </select>
          </Field>
          <label class="check">
            <input type="checkbox" checked={isActive} onChange={(e) => setActive(e.currentTarget.checked)} />{" "}
            Active
          </label>
        </fieldset>
        {rules.map((r, i) => (
          <fieldset key={i}>
            <legend>Rule {i + 1}</legend>
            <RuleFields
              prefix={`r${i}`}
              rule={r}
              onChange={(patch) => setRule(i, patch)}
              errorPath={`blocked_commands.${i}.`}
            />
            {rules.length > 1 && (
              <button type="button" class="small" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                Remove rule {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        <p>
          <button type="button" onClick={() => setRules([...rules, blankRule()])}>
            Add a rule
          </button>
        </p>
      </Form>
    </section>
  );
}
