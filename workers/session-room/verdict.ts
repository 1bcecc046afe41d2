// How the command tracker turns the engine's decisions into one verdict: several readings of a line (the
// search display's possible splits, a commented line that Meta-# may uncomment) are each judged and the
// strictest wins; input typed with echo off is judged but its text never leaves this module — the
// decision is rewritten so that no reason, matched text or command list quotes it.
import type { Decision } from "../policy/index.ts";

export const HIDDEN = "[hidden input]";

/** A block the room decides itself (no rule matched): unreadable policies, tampering with the guard. */
export function refusal(reason: string): Decision {
  return {
    decision: "block",
    rule: null,
    policy: null,
    reason,
    severity: "high",
    commandType: "shell",
    riskLevel: "high",
    autoDisconnect: false,
    notify: false,
    commands: [],
    matchedCommand: null,
    flags: [],
  };
}

export const UNAVAILABLE: Decision = refusal(
  "The organization's command policies cannot be read right now; nothing runs until they can",
);

function rank(d: Decision): number {
  const violation = d.rule !== null || d.policy !== null;
  if (d.decision === "block") return 4;
  if (d.decision === "require_approval") return violation ? 3 : 2;
  return 1;
}

/** The strictest decision of several readings, with the reading it was made on (the first on ties). */
export function pickStrictest(verdicts: Decision[], lines: string[]): { d: Decision; line: string } {
  let best = 0;
  for (let i = 1; i < verdicts.length; i++)
    if (rank(verdicts[i] as Decision) > rank(verdicts[best] as Decision)) best = i;
  return { d: verdicts[best] as Decision, line: lines[best] as string };
}

/**
 * Input typed with echo off (a password, or a shell after `stty -echo`): a rule it breaks blocks it, and
 * so does a rule that needs approval (no approver may see it). A line the engine cannot judge statically
 * (an odd quote, a `!`) is refused at the shell's prompt — that is a command typed blind — and let through
 * at a program's prompt, where it is a secret, not a command line. The returned decision and reason name
 * the rule, never the text.
 */
export function hiddenOutcome(
  d: Decision,
  shellLine: boolean,
): "allow" | { decision: Decision; reason: string } {
  if (d.decision === "allow") return "allow";
  const violation = d.rule !== null || d.policy !== null;
  if (!violation && !shellLine) return "allow";
  const what = d.rule
    ? `rule "${d.rule.name}" (${d.rule.severity}) of policy "${d.rule.policyName}" matched ${HIDDEN}`
    : d.policy
      ? `${HIDDEN} is not in the allowed commands of policy "${d.policy.name}"`
      : `${HIDDEN} typed at the shell prompt cannot be checked statically (${d.flags.join(", ")})`;
  const reason =
    d.decision === "block" || !violation
      ? `blocked: ${what}`
      : `blocked: ${what}; it needs approval, and input typed with echo off is never shown to an approver`;
  return {
    decision: { ...d, decision: "block", reason, commands: [], matchedCommand: null },
    reason,
  };
}
