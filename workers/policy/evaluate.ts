// Policy evaluation: which policies are in scope, which rules and allow-lists a line violates, and the
// one decision that comes out. Precedence (docs/policy-engine.md): block > require_approval > allow;
// among violations of the winning kind the highest severity is reported, rule matches before allow-list
// misses, then policy order, then rule order. A line the parser cannot see through completely is never
// allowed silently while a policy applies: it escalates to require_approval.

import { classifyCommand, maxSeverity, SEVERITY_RANK } from "./classify.ts";
import { type RuleHit, RuleIndex, type Scope, TYPE_BITS } from "./match.ts";
import { parseCommandLine } from "./parse-shell.ts";
import { basename, canonicalize } from "./shell-words.ts";
import type {
  CommandType,
  Decision,
  EvalContext,
  ParsedCommand,
  ParseFlag,
  ParseResult,
  PolicyInput,
  Severity,
  UncheckableAction,
} from "./types.ts";

/** Opaque result of compilePolicies; evaluateCommand accepts nothing else. */
export interface CompiledPolicies {
  readonly policyCount: number;
  readonly ruleCount: number;
}

interface AllowList {
  programs: Set<string>;
  /** Multi-word entries, canonicalised: `git status` allows `git status` and `git status -s`. */
  prefixes: string[];
}

interface CompiledPolicy {
  input: PolicyInput;
  roles: Set<string> | null;
  connections: Set<string> | null;
  allow: AllowList | null;
  /** OR of its rules' connection-type masks; -1 when some rule applies to every type. */
  ruleTypes: number;
  action: UncheckableAction;
}

class CompiledPolicySet implements CompiledPolicies {
  readonly policyCount: number;
  readonly ruleCount: number;
  readonly scopeBuffer: Uint8Array;

  constructor(
    readonly policies: CompiledPolicy[],
    readonly index: RuleIndex,
  ) {
    this.policyCount = policies.length;
    this.ruleCount = index.rules.length;
    this.scopeBuffer = new Uint8Array(policies.length);
  }
}

function compileAllowList(entries: readonly string[] | null | undefined): AllowList | null {
  const list = (entries ?? []).map((e) => e.trim()).filter((e) => e !== "");
  if (list.length === 0) return null;
  const allow: AllowList = { programs: new Set(), prefixes: [] };
  for (const entry of list) {
    const words = entry.split(/\s+/);
    const program = basename(words[0] as string);
    if (words.length === 1) allow.programs.add(program);
    else allow.prefixes.push(canonicalize(program, words.slice(1)));
  }
  return allow;
}

function allowed(allow: AllowList, cmd: ParsedCommand): boolean {
  if (cmd.program === null) return false;
  if (allow.programs.has(cmd.program)) return true;
  for (const p of allow.prefixes) {
    if (cmd.canonical === p || cmd.canonical.startsWith(`${p} `)) return true;
  }
  return false;
}

/** Compiles once per policy version. Inactive policies are dropped here. Throws PolicyCompileError. */
export function compilePolicies(policies: readonly PolicyInput[]): CompiledPolicies {
  const compiled: CompiledPolicy[] = [];
  const rules: { input: PolicyInput["blockedCommands"][number]; policy: number }[] = [];
  for (const original of policies) {
    if (!original.isActive) continue;
    // A snapshot: later changes to the caller's objects must not change a compiled policy version.
    const p: PolicyInput = {
      ...original,
      appliesToRoles: [...original.appliesToRoles],
      appliesToConnections: [...original.appliesToConnections],
      allowedCommands: original.allowedCommands ? [...original.allowedCommands] : null,
      blockedCommands: original.blockedCommands.map((r) => ({
        ...r,
        appliesToTypes: [...r.appliesToTypes],
        examples: r.examples ? [...r.examples] : [],
      })),
    };
    const index = compiled.length;
    let ruleTypes = 0;
    for (const r of p.blockedCommands) {
      rules.push({ input: r, policy: index });
      if (r.appliesToTypes.length === 0) ruleTypes = -1;
      else for (const t of r.appliesToTypes) ruleTypes |= TYPE_BITS[t] ?? 0;
    }
    compiled.push({
      input: p,
      roles: p.appliesToRoles.length > 0 ? new Set(p.appliesToRoles) : null,
      connections: p.appliesToConnections.length > 0 ? new Set(p.appliesToConnections) : null,
      allow: compileAllowList(p.allowedCommands),
      ruleTypes,
      action: p.uncheckableAction ?? "require_approval",
    });
  }
  return new CompiledPolicySet(compiled, new RuleIndex(rules));
}

interface Violation {
  policy: CompiledPolicy;
  policyIndex: number;
  hit: RuleHit | null;
  command: ParsedCommand | null;
  severity: Severity;
  text: string;
  approval: boolean;
}

const FLAG_REASONS: Readonly<Record<ParseFlag, string>> = {
  incomplete: "the line is incomplete or malformed (unterminated quote, missing fi/done/esac…)",
  "dynamic-program": "a program name is only known at run time",
  "depth-exceeded": "nesting is deeper than the engine follows",
  "runtime-args": "arguments are supplied at run time (xargs) to a program that rules target",
  "too-long": "the line is longer than the engine evaluates in full",
  "expansion-limit": "brace expansion is larger than the engine expands",
  "history-expansion": "it re-runs or splices earlier commands from the shell history (!!, !n, ^a^b, fc -s)",
  "uncheckable-code": "code handed to an interpreter cannot be read statically",
  "opaque-script": "a shell or interpreter reads a script the line does not show",
};

const ACTION_RANK: Readonly<Record<UncheckableAction, number>> = { allow: 0, require_approval: 1, block: 2 };

/** The strictest uncheckable_action of the policies that apply (scope marked, rules or allow-list). */
function uncheckablePolicy(set: CompiledPolicySet, scope: Scope): CompiledPolicy | null {
  let strictest: CompiledPolicy | null = null;
  for (let i = 0; i < set.policies.length; i++) {
    const p = set.policies[i] as CompiledPolicy;
    if (scope.policies[i] !== 1) continue;
    if (
      p.allow === null &&
      (p.ruleTypes === 0 || (scope.typeBit !== 0 && (p.ruleTypes & scope.typeBit) === 0))
    ) {
      continue;
    }
    if (strictest === null || ACTION_RANK[p.action] > ACTION_RANK[strictest.action]) strictest = p;
  }
  return strictest;
}

function better(a: Violation, b: Violation): boolean {
  if (a.approval !== b.approval) return !a.approval;
  const rank = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (rank !== 0) return rank > 0;
  if ((a.hit === null) !== (b.hit === null)) return a.hit !== null;
  if (a.policyIndex !== b.policyIndex) return a.policyIndex < b.policyIndex;
  return (a.hit?.rule.order ?? 0) < (b.hit?.rule.order ?? 0);
}

/** Marks the policies in scope for ctx; says whether any of them can act on a line at all. */
function markScope(set: CompiledPolicySet, ctx: EvalContext, scope: Scope): boolean {
  let applies = false;
  const policies = set.policies;
  for (let i = 0; i < policies.length; i++) {
    const p = policies[i] as CompiledPolicy;
    // Unknown role or connection never takes a policy out of scope: fail closed.
    const inScope =
      (p.roles === null || ctx.roleId == null || p.roles.has(ctx.roleId)) &&
      (p.connections === null || ctx.connectionId == null || p.connections.has(ctx.connectionId));
    scope.policies[i] = inScope ? 1 : 0;
    if (
      inScope &&
      (p.allow !== null ||
        (p.ruleTypes !== 0 && (scope.typeBit === 0 || (p.ruleTypes & scope.typeBit) !== 0)))
    ) {
      applies = true;
    }
  }
  return applies;
}

function collectViolations(
  set: CompiledPolicySet,
  parsed: ParseResult,
  texts: string[],
  risks: Severity[],
  scope: Scope,
): Violation[] {
  const violations: Violation[] = [];
  const hits: RuleHit[] = [];
  set.index.match(texts, parsed.fragments, scope, hits);
  set.index.matchCommands(parsed.commands, scope, hits);
  for (const hit of hits) {
    const policy = set.policies[hit.rule.policy] as CompiledPolicy;
    const k = hit.isCommand ? texts.indexOf(hit.text) : -1;
    violations.push({
      policy,
      policyIndex: hit.rule.policy,
      hit,
      command: parsed.commands[k] ?? null,
      severity: hit.rule.input.severity,
      text: hit.text,
      approval: policy.input.requireApproval,
    });
  }
  for (let i = 0; i < set.policies.length; i++) {
    const policy = set.policies[i] as CompiledPolicy;
    if (policy.allow === null || scope.policies[i] !== 1) continue;
    for (let k = 0; k < parsed.commands.length; k++) {
      const offender = parsed.commands[k] as ParsedCommand;
      if (allowed(policy.allow, offender)) continue;
      violations.push({
        policy,
        policyIndex: i,
        hit: null,
        command: offender,
        severity: maxSeverity("medium", risks[k] ?? "medium"),
        text: offender.canonical,
        approval: policy.input.requireApproval,
      });
      break;
    }
  }
  return violations;
}

/** Flags that make the static view uncertain; runtime-args only counts for programs rules target. */
function escalatingFlags(set: CompiledPolicySet, parsed: ParseResult, scope: Scope): ParseFlag[] {
  if (!parsed.flags.includes("runtime-args")) return parsed.flags;
  for (const c of parsed.commands) {
    if (c.runtimeArgs && c.program !== null && set.index.targets(c.program, scope)) return parsed.flags;
  }
  return parsed.flags.filter((f) => f !== "runtime-args");
}

export function evaluateCommand(compiled: CompiledPolicies, line: string, ctx: EvalContext = {}): Decision {
  if (!(compiled instanceof CompiledPolicySet)) {
    throw new TypeError("evaluateCommand needs the result of compilePolicies");
  }
  const parsed = parseCommandLine(line);
  const typeBit = ctx.connectionType ? (TYPE_BITS[ctx.connectionType] ?? 0) : 0;
  const scope: Scope = { policies: compiled.scopeBuffer, typeBit };
  const policiesApply = markScope(compiled, ctx, scope);

  const commands = parsed.commands;
  const texts: string[] = [];
  const risks: Severity[] = [];
  const types: CommandType[] = [];
  let risk: Severity = "low";
  let commandType: CommandType = "shell";
  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i] as ParsedCommand;
    const c = classifyCommand(cmd);
    texts.push(cmd.canonical);
    risks.push(c.risk);
    types.push(c.type);
    if (i === 0 || SEVERITY_RANK[c.risk] > SEVERITY_RANK[risk]) {
      risk = c.risk;
      commandType = c.type;
    }
  }
  if (parsed.flags.length > 0) risk = maxSeverity(risk, "medium");

  const violations = policiesApply ? collectViolations(compiled, parsed, texts, risks, scope) : [];
  let chosen: Violation | null = null;
  for (const v of violations) if (chosen === null || better(v, chosen)) chosen = v;

  // What cannot be judged: the strictest uncheckable_action of the applicable policies decides. An
  // incomplete line is not governed by it and always needs approval: an open quote or a line typed into
  // a program is a property of typing, not a command the engine failed to read.
  const uncertain = policiesApply ? escalatingFlags(compiled, parsed, scope) : [];
  const setting = uncertain.length > 0 ? uncheckablePolicy(compiled, scope) : null;
  let action: UncheckableAction | null = null;
  if (setting !== null) {
    action = uncertain.some((f) => f !== "incomplete") ? setting.action : "require_approval";
    if (action === "allow" && uncertain.includes("incomplete")) action = "require_approval";
  }
  const why = uncertain.length > 0 ? cannotJudgeReason(uncertain, parsed.uncheckable) : "";

  if (chosen !== null && (!chosen.approval || action !== "block")) {
    const kind = chosen.approval ? "require_approval" : "block";
    const policyName = chosen.policy.input.name;
    const rule = chosen.hit?.rule.input;
    const verb = kind === "block" ? "blocked" : "requires approval";
    let autoDisconnect = false;
    let notify = false;
    // Every policy the line violated contributes its flags, whichever violation is reported.
    for (const v of violations) {
      autoDisconnect ||= v.policy.input.autoDisconnectOnViolation;
      notify ||= v.policy.input.notifyOnViolation;
    }
    const k = chosen.command === null ? -1 : commands.indexOf(chosen.command);
    return {
      decision: kind,
      rule: rule
        ? {
            id: rule.id,
            name: rule.name,
            policyId: chosen.policy.input.id,
            policyName,
            severity: rule.severity,
            patternType: rule.patternType,
          }
        : null,
      policy: { id: chosen.policy.input.id, name: policyName },
      reason: rule
        ? `${verb}: rule "${rule.name}" (${rule.severity}) of policy "${policyName}" matched "${chosen.text}"`
        : `${verb}: "${chosen.command?.program ?? chosen.text}" is not in the allowed commands of policy "${policyName}"`,
      severity: chosen.severity,
      commandType: types[k] ?? commandType,
      riskLevel: maxSeverity(risk, chosen.severity),
      autoDisconnect,
      notify,
      commands: texts,
      matchedCommand: chosen.text,
      flags: parsed.flags,
      uncheckable: parsed.uncheckable,
    };
  }

  const decision = action === null ? "allow" : action;
  const blockedBy = decision === "block" && setting !== null ? setting.input : null;
  return {
    decision,
    rule: null,
    policy: blockedBy ? { id: blockedBy.id, name: blockedBy.name } : null,
    reason:
      action === null
        ? policiesApply
          ? "allowed: no rule matched"
          : "allowed: no active policy applies"
        : action === "block"
          ? `blocked: cannot be judged: ${why} (policy "${setting?.input.name}" blocks what it cannot judge)`
          : action === "require_approval"
            ? `requires approval: cannot be judged: ${why}`
            : `allowed: cannot be judged: ${why} (policy "${setting?.input.name}" allows what it cannot judge)`,
    severity: null,
    commandType,
    riskLevel: risk,
    autoDisconnect: false,
    notify: blockedBy?.notifyOnViolation ?? false,
    commands: texts,
    matchedCommand: null,
    flags: parsed.flags,
    uncheckable: parsed.uncheckable,
  };
}

/** "inline python uses eval; …" — the specific causes first, then the generic ones. */
function cannotJudgeReason(flags: readonly ParseFlag[], specific: readonly string[]): string {
  const parts = [...specific];
  for (const f of flags) if (f !== "uncheckable-code" && f !== "opaque-script") parts.push(FLAG_REASONS[f]);
  return parts.length > 0 ? parts.join("; ") : flags.map((f) => FLAG_REASONS[f]).join("; ");
}
