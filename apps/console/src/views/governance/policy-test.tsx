// Tenant console › Policies › "Test a command": asks the server what its enforcement would decide for a
// command line (POST /api/policies/evaluate) and shows the decision, the risk and the rule that decided
// it — the same evaluation a live session runs, without running anything.
import { useMutation } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { evaluateCommand } from "../../api/index.ts";
import { Failed } from "../../ui/states.tsx";

const DECISION_LABEL: Record<string, string> = {
  allow: "Allowed",
  block: "Blocked",
  require_approval: "Needs approval",
};

export function PolicyTest() {
  const [command, setCommand] = useState("");
  const check = useMutation({ mutationFn: (c: string) => evaluateCommand(c) });
  const r = check.data;
  return (
    <section class="card" aria-labelledby="policy-test-title">
      <h2 id="policy-test-title">Test a command</h2>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (command.trim()) check.mutate(command);
        }}
      >
        <label for="policy-test-command" class="sr-only">
          Command to test
        </label>
        <input
          id="policy-test-command"
          type="text"
          autocomplete="off"
          spellcheck={false}
          placeholder="e.g. rm -rf /var/log"
          value={command}
          onInput={(e) => setCommand(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={check.isPending || !command.trim()}>
          {check.isPending ? "Testing…" : "Test"}
        </button>
      </form>
      {check.isError && <Failed error={check.error} />}
      {r && (
        <output class="evaluation" aria-live="polite">
          <dl>
            <dt>Decision</dt>
            <dd>
              <span class={`badge decision-${r.decision}`}>{DECISION_LABEL[r.decision] ?? r.decision}</span>
            </dd>
            <dt>Risk</dt>
            <dd>
              <span class={`badge risk-${r.risk_level}`}>{r.risk_level}</span> ({r.command_type})
            </dd>
            <dt>Rule</dt>
            <dd>
              {r.rule ? `${r.rule.name}${r.policy ? ` (policy ${r.policy.name})` : ""}` : "No rule matched"}
            </dd>
            {r.matched_command && (
              <>
                <dt>Matched</dt>
                <dd>
                  <code>{r.matched_command}</code>
                </dd>
              </>
            )}
            <dt>Reason</dt>
            <dd>{r.reason}</dd>
            {r.flags.length > 0 && (
              <>
                <dt>Flags</dt>
                <dd>{r.flags.join(", ")}</dd>
              </>
            )}
          </dl>
        </output>
      )}
    </section>
  );
}
