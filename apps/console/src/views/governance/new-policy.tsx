// Tenant console › New policy: a name, what to do with a command line the parser cannot check, and its
// first rules (name, pattern, how the pattern matches, severity). Field problems appear under their field;
// a bad rule's problem (an invalid regex) names the rule.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import {
  ApiFailure,
  createPolicy,
  type NewRule,
  PATTERN_TYPES,
  SEVERITIES,
  UNCHECKABLE_ACTIONS,
} from "../../api/index.ts";
import { fieldErrors } from "../../api/messages.ts";
import { describedBy, Field } from "../../ui/field.tsx";
import { Failed } from "../../ui/states.tsx";

const blankRule = (): NewRule => ({ name: "", pattern: "", patternType: "contains", severity: "high" });

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
  const errors = save.error instanceof ApiFailure ? fieldErrors(save.error) : {};
  const setRule = (i: number, patch: Partial<NewRule>) =>
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const ruleError = (i: number, key: string) => errors[`blocked_commands.${i}.${key}`];
  return (
    <section aria-labelledby="new-policy-title">
      <p>
        <a href="/policies">← Policies</a>
      </p>
      <h1 id="new-policy-title">New policy</h1>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <fieldset disabled={save.isPending}>
          <legend>Policy</legend>
          <Field id="p-name" label="Name" error={errors.name}>
            <input
              id="p-name"
              required
              value={name}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describedBy("p-name", undefined, errors.name)}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </Field>
          <Field id="p-description" label="Description" error={errors.description}>
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
              aria-describedby="p-uncheckable-hint"
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
          <fieldset key={i} disabled={save.isPending}>
            <legend>Rule {i + 1}</legend>
            <Field id={`r${i}-name`} label="Rule name" error={ruleError(i, "name")}>
              <input
                id={`r${i}-name`}
                value={r.name}
                aria-describedby={describedBy(`r${i}-name`, undefined, ruleError(i, "name"))}
                onInput={(e) => setRule(i, { name: e.currentTarget.value })}
              />
            </Field>
            <Field id={`r${i}-pattern`} label="Pattern" error={ruleError(i, "pattern")}>
              <input
                id={`r${i}-pattern`}
                spellcheck={false}
                autocomplete="off"
                value={r.pattern}
                aria-invalid={ruleError(i, "pattern") ? true : undefined}
                aria-describedby={describedBy(`r${i}-pattern`, undefined, ruleError(i, "pattern"))}
                onInput={(e) => setRule(i, { pattern: e.currentTarget.value })}
              />
            </Field>
            <Field id={`r${i}-type`} label="Match">
              <select
                id={`r${i}-type`}
                value={r.patternType}
                onChange={(e) => setRule(i, { patternType: e.currentTarget.value as NewRule["patternType"] })}
              >
                {PATTERN_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={`r${i}-severity`} label="Severity">
              <select
                id={`r${i}-severity`}
                value={r.severity}
                onChange={(e) => setRule(i, { severity: e.currentTarget.value as NewRule["severity"] })}
              >
                {SEVERITIES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </Field>
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
        {save.isError && <Failed error={save.error} />}
        <button type="submit" class="primary" disabled={save.isPending}>
          {save.isPending ? "Creating…" : "Create policy"}
        </button>
      </form>
    </section>
  );
}
