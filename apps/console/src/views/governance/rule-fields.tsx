// A rule's fields — name, pattern, how the pattern matches, severity — shared by "New policy" (its first
// rules) and the policy editor (adding and editing a rule), so both ask the same way.
import type { NewRule, PolicyRule } from "../../api/index.ts";
import { PATTERN_TYPES, SEVERITIES } from "../../api/index.ts";
import { Field } from "../../ui/field.tsx";

export const blankRule = (): NewRule => ({
  name: "",
  pattern: "",
  patternType: "contains",
  severity: "high",
});

export const ruleOf = (r: PolicyRule): NewRule => ({
  name: r.name,
  pattern: r.pattern,
  patternType: r.pattern_type,
  severity: r.severity,
});

export function RuleFields(props: {
  /** Unique per rule on the page: the fields' ids start with it. */
  prefix: string;
  rule: NewRule;
  onChange: (patch: Partial<NewRule>) => void;
  /** The server's path of this rule's fields (`blocked_commands.0.` when created with its policy). */
  errorPath?: string;
}) {
  const { prefix, rule, onChange } = props;
  const path = props.errorPath ?? "";
  return (
    <>
      <Field id={`${prefix}-name`} label="Rule name" name={`${path}name`}>
        <input
          id={`${prefix}-name`}
          value={rule.name}
          onInput={(e) => onChange({ name: e.currentTarget.value })}
        />
      </Field>
      <Field id={`${prefix}-pattern`} label="Pattern" name={`${path}pattern`}>
        <input
          id={`${prefix}-pattern`}
          spellcheck={false}
          autocomplete="off"
          value={rule.pattern}
          onInput={(e) => onChange({ pattern: e.currentTarget.value })}
        />
      </Field>
      <Field id={`${prefix}-type`} label="Match">
        <select
          id={`${prefix}-type`}
          value={rule.patternType}
          onChange={(e) => onChange({ patternType: e.currentTarget.value as NewRule["patternType"] })}
        >
          {PATTERN_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${prefix}-severity`} label="Severity">
        <select
          id={`${prefix}-severity`}
          value={rule.severity}
          onChange={(e) => onChange({ severity: e.currentTarget.value as NewRule["severity"] })}
        >
          {SEVERITIES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
