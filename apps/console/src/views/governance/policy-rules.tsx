// Policies › Edit › the rules: each rule with "Edit" (its fields in place, saved alone) and "Delete" (asks
// first), and "Add a rule". Every change is its own call (/api/policies/:id/rules), then the policy is read
// again so the list shows what the server kept.
import { useMutation, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import {
  addRule,
  deleteRule,
  type NewRule,
  type Policy,
  type PolicyRule,
  updateRule,
} from "../../api/index.ts";
import { Confirm } from "../../ui/confirm.tsx";
import { DataTable, LOADED } from "../../ui/data-table.tsx";
import { Form } from "../../ui/form.tsx";
import { Failed } from "../../ui/states.tsx";
import { blankRule, RuleFields, ruleOf } from "./rule-fields.tsx";

function RuleForm(props: {
  title: string;
  prefix: string;
  initial: NewRule;
  submitLabel: string;
  save: (rule: NewRule) => Promise<void>;
  onDone: () => void;
}) {
  const [rule, setRule] = useState(props.initial);
  const save = useMutation({ mutationFn: () => props.save(rule), onSuccess: props.onDone });
  return (
    <Form
      title={props.title}
      save={save}
      onSubmit={() => save.mutate()}
      onCancel={props.onDone}
      submitLabel={props.submitLabel}
    >
      <RuleFields prefix={props.prefix} rule={rule} onChange={(patch) => setRule({ ...rule, ...patch })} />
    </Form>
  );
}

export function PolicyRules({ policy }: { policy: Policy }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [deleting, setDeleting] = useState<PolicyRule | null>(null);
  const reread = async () => {
    setEditing(null);
    await qc.invalidateQueries({ queryKey: ["policy", policy.id] });
    await qc.invalidateQueries({ queryKey: ["policies"] });
  };
  const remove = useMutation({
    mutationFn: (r: PolicyRule) => deleteRule(policy.id, r.id),
    onSuccess: async () => {
      setDeleting(null);
      await reread();
    },
  });
  return (
    <section aria-labelledby="rules-title">
      <div class="heading">
        <h2 id="rules-title">Rules</h2>
        <button type="button" onClick={() => setEditing("new")} disabled={editing === "new"}>
          Add a rule
        </button>
      </div>
      {editing === "new" && (
        <RuleForm
          title="New rule"
          prefix="nr"
          initial={blankRule()}
          submitLabel="Add rule"
          save={(r) => addRule(policy.id, r)}
          onDone={reread}
        />
      )}
      <DataTable
        query={LOADED}
        rows={policy.blocked_commands}
        what="rules"
        empty="No rules: this policy blocks nothing yet."
        rowKey={(r) => r.id}
        columns={[
          { label: "Rule", cell: (r) => <strong>{r.name}</strong> },
          { label: "Pattern", cell: (r) => <code>{r.pattern}</code> },
          { label: "Match", cell: (r) => r.pattern_type },
          { label: "Severity", cell: (r) => <span class={`badge risk-${r.severity}`}>{r.severity}</span> },
          {
            label: "Actions",
            actions: true,
            cell: (r) => (
              <div class="row-actions">
                <button
                  type="button"
                  class="small"
                  aria-expanded={editing === r.id}
                  aria-controls={`rule-${r.id}`}
                  onClick={() => setEditing(editing === r.id ? null : r.id)}
                >
                  Edit<span class="sr-only"> rule {r.name}</span>
                </button>
                <button type="button" class="small danger" onClick={() => setDeleting(r)}>
                  Delete<span class="sr-only"> rule {r.name}</span>
                </button>
              </div>
            ),
          },
        ]}
        detail={(r) =>
          editing === r.id
            ? {
                id: `rule-${r.id}`,
                content: (
                  <RuleForm
                    title={`Edit rule ${r.name}`}
                    prefix={`er-${r.id}`}
                    initial={ruleOf(r)}
                    submitLabel="Save rule"
                    save={(rule) => updateRule(policy.id, r.id, rule)}
                    onDone={reread}
                  />
                ),
              }
            : null
        }
      />
      {deleting && (
        <Confirm
          title={`Delete the rule ${deleting.name}?`}
          confirmLabel="Delete rule"
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>Commands it blocked are allowed again unless another rule blocks them.</p>
          {remove.isError && <Failed error={remove.error} />}
        </Confirm>
      )}
    </section>
  );
}
