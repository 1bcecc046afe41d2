// Rule matching: compiles every rule into an index once, then finds the rules a text matches without
// trying them all.
//
// What is matched against what (the contract documented in docs/policy-engine.md):
// - exact rules and anchored regexes (`^…`) describe a command: they are tested against the canonical
//   form of every simple command only, so `echo 'rm -rf /'` never trips `^rm`;
// - contains rules and unanchored regexes describe text: they are tested against every canonical
//   command and also against the whitespace-normalised source (the line and each nested shell string),
//   which is what catches shell syntax a canonical command no longer shows (a fork bomb's function
//   definition, a `> /dev/sda` redirection).
// Speed: exact rules are a Map lookup; anchored regexes are bucketed by their literal first word or
// prefix; all literals (contains patterns, and one required literal per regex) go through one
// Aho-Corasick pass per text, and a regex runs only when its literal occurred.

import { AhoCorasick } from "./aho-corasick.ts";
import { CommandMatcher } from "./command-rule.ts";
import { parseCommandSpec } from "./command-spec.ts";
import { PolicyCompileError } from "./errors.ts";
import { MAX_TEXT_LENGTH } from "./parse-context.ts";
import { parseCommandLine } from "./parse-shell.ts";
import { analyzeRegex } from "./regex-analysis.ts";
import type { ConnectionType, ParsedCommand, RuleInput } from "./types.ts";

/** User regexes never see more than this many characters of one text (see regex-safety.ts). */
export const MAX_REGEX_INPUT = MAX_TEXT_LENGTH;
/** Longer patterns are refused: nobody writes a legitimate 1 KiB command pattern. */
export const MAX_PATTERN_LENGTH = 1024;

export const TYPE_BITS: Readonly<Record<ConnectionType, number>> = { ssh: 1, rdp: 2, vnc: 4, telnet: 8 };

export interface CompiledRule {
  order: number;
  policy: number;
  input: RuleInput;
  kind: RuleInput["patternType"];
  /** exact: canonical command; contains: whitespace-normalised literal. */
  text: string;
  re: RegExp | null;
  /** command rules: the program/options/operands matcher. */
  command: CommandMatcher | null;
  /** Tested against canonical commands only. */
  commandOnly: boolean;
  /** Index of the literal that must occur for the rule to match; -1 when none is known. */
  literal: number;
  /** Connection types the rule applies to; 0 = all. */
  typeMask: number;
}

export interface RuleHit {
  rule: CompiledRule;
  text: string;
  isCommand: boolean;
}

/** Which rules may fire for this evaluation: policy in scope and rule's connection types. */
export interface Scope {
  policies: Uint8Array;
  typeBit: number;
}

function ruleInScope(rule: CompiledRule, scope: Scope): boolean {
  return (
    scope.policies[rule.policy] === 1 &&
    (rule.typeMask === 0 || scope.typeBit === 0 || (rule.typeMask & scope.typeBit) !== 0)
  );
}

export function normalizeContains(pattern: string): string {
  return pattern.replace(/\s+/g, " ");
}

/** Exact patterns are compared with canonical commands, so they are canonicalised the same way. */
export function normalizeExact(pattern: string): string {
  const parsed = parseCommandLine(pattern);
  const top = parsed.commands.filter((c) => c.origin === "line");
  const only = top[0];
  if (top.length === 1 && only !== undefined && parsed.flags.length === 0) return only.canonical;
  return pattern.replace(/\s+/g, " ").trim();
}

export function compileRegex(pattern: string): RegExp {
  // No flags: rule authors write ECMAScript regexes as in the seed (`\&` needs Annex B, so no `u`).
  return new RegExp(pattern);
}

function pushTo<K>(map: Map<K, CompiledRule[]>, key: K, rule: CompiledRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else list.push(rule);
}

export class RuleIndex {
  readonly rules: CompiledRule[] = [];
  private readonly exact = new Map<string, CompiledRule[]>();
  private readonly words = new Map<string, CompiledRule[]>();
  private readonly prefixes = new Map<string, CompiledRule[]>();
  private readonly prefixLengths: number[] = [];
  /** Regex rules with neither index key nor literal: tried on every text they apply to. */
  private readonly always: CompiledRule[] = [];
  /** command rules by program name, and those naming a program prefix (`mkfs*`). */
  private readonly programs = new Map<string, CompiledRule[]>();
  private readonly programPrefixes: { prefix: string; rule: CompiledRule }[] = [];
  private readonly byLiteral: CompiledRule[][] = [];
  private readonly ac: AhoCorasick | null;
  private readonly literalStamp: Uint32Array;
  private readonly ruleStamp: Uint32Array;
  private readonly litHits: Uint32Array;
  private gen = 0;

  constructor(inputs: readonly { input: RuleInput; policy: number }[]) {
    const literals = new Map<string, number>();
    const literalId = (s: string): number => {
      let id = literals.get(s);
      if (id === undefined) {
        id = literals.size;
        literals.set(s, id);
        this.byLiteral.push([]);
      }
      return id;
    };
    const prefixLengths = new Set<number>();
    inputs.forEach(({ input, policy }, order) => {
      const rule = compileRule(input, policy, order);
      this.rules.push(rule);
      let mask = 0;
      for (const t of input.appliesToTypes) mask |= TYPE_BITS[t] ?? 0;
      rule.typeMask = mask;
      if (rule.kind === "exact") {
        pushTo(this.exact, rule.text, rule);
        return;
      }
      if (rule.command !== null) {
        for (const name of rule.command.names) pushTo(this.programs, name, rule);
        for (const prefix of rule.command.prefixes) this.programPrefixes.push({ prefix, rule });
        return;
      }
      if (rule.kind === "contains") {
        rule.literal = literalId(rule.text);
        (this.byLiteral[rule.literal] as CompiledRule[]).push(rule);
        return;
      }
      const shape = analyzeRegex(input.pattern);
      rule.commandOnly = shape.anchored;
      if (shape.literal !== null) rule.literal = literalId(shape.literal);
      if (shape.anchored && shape.keys !== null) {
        for (const key of shape.keys) {
          if (key.kind === "word") pushTo(this.words, key.value, rule);
          else {
            pushTo(this.prefixes, key.value, rule);
            prefixLengths.add(key.value.length);
          }
        }
      } else if (rule.literal >= 0) {
        (this.byLiteral[rule.literal] as CompiledRule[]).push(rule);
      } else {
        this.always.push(rule);
      }
    });
    this.prefixLengths = [...prefixLengths].sort((a, b) => a - b);
    this.ac = literals.size > 0 ? new AhoCorasick([...literals.keys()]) : null;
    this.literalStamp = new Uint32Array(literals.size);
    this.litHits = new Uint32Array(literals.size);
    this.ruleStamp = new Uint32Array(this.rules.length);
  }

  /** Appends to `hits` every in-scope rule matching one of the texts. */
  match(commands: readonly string[], fragments: readonly string[], scope: Scope, hits: RuleHit[]): void {
    for (const c of commands) this.matchText(c, true, scope, hits);
    for (const f of fragments) this.matchText(f, false, scope, hits);
  }

  /** Appends every in-scope command rule whose program, options and operands a command has. */
  matchCommands(commands: readonly ParsedCommand[], scope: Scope, hits: RuleHit[]): void {
    if (this.programs.size === 0 && this.programPrefixes.length === 0) return;
    for (const cmd of commands) {
      const program = cmd.program;
      if (program === null) continue;
      for (const rule of this.programs.get(program) ?? []) this.commandHit(rule, cmd, program, scope, hits);
      for (const { prefix, rule } of this.programPrefixes) {
        if (program.startsWith(prefix)) this.commandHit(rule, cmd, program, scope, hits);
      }
    }
  }

  private commandHit(
    rule: CompiledRule,
    cmd: ParsedCommand,
    program: string,
    scope: Scope,
    hits: RuleHit[],
  ): void {
    if (!ruleInScope(rule, scope)) return;
    if ((rule.command as CommandMatcher).matches(program, cmd.args)) {
      hits.push({ rule, text: cmd.canonical, isCommand: true });
    }
  }

  /** Whether an in-scope rule is indexed under this program (used for runtime-args escalation). */
  targets(program: string, scope: Scope): boolean {
    for (const r of this.programs.get(program) ?? []) if (ruleInScope(r, scope)) return true;
    for (const { prefix, rule } of this.programPrefixes) {
      if (program.startsWith(prefix) && ruleInScope(rule, scope)) return true;
    }
    for (const r of this.words.get(program) ?? []) if (ruleInScope(r, scope)) return true;
    for (const len of this.prefixLengths) {
      if (len > program.length) break;
      for (const r of this.prefixes.get(program.slice(0, len)) ?? []) if (ruleInScope(r, scope)) return true;
    }
    return false;
  }

  private matchText(text: string, isCommand: boolean, scope: Scope, hits: RuleHit[]): void {
    if (++this.gen === 0xffffffff) this.resetStamps();
    const bounded = text.length > MAX_REGEX_INPUT ? text.slice(0, MAX_REGEX_INPUT) : text;
    const found = this.ac === null ? 0 : this.ac.scan(text, this.litHits, this.literalStamp, this.gen);
    for (let h = 0; h < found; h++) {
      for (const rule of this.byLiteral[this.litHits[h] as number] as CompiledRule[]) {
        if (rule.commandOnly && !isCommand) continue;
        if (rule.kind === "contains") this.hit(rule, text, isCommand, scope, hits, null);
        else this.hit(rule, bounded, isCommand, scope, hits, text);
      }
    }
    for (const rule of this.always) {
      if (rule.commandOnly && !isCommand) continue;
      this.hit(rule, bounded, isCommand, scope, hits, text);
    }
    if (!isCommand) return;
    const exact = this.exact.get(text);
    if (exact !== undefined) for (const rule of exact) this.hit(rule, text, true, scope, hits, null);
    const space = text.indexOf(" ");
    const word = space < 0 ? text : text.slice(0, space);
    const byWord = this.words.get(word);
    if (byWord !== undefined) for (const rule of byWord) this.indexedHit(rule, bounded, scope, hits, text);
    for (const len of this.prefixLengths) {
      if (len > text.length) break;
      const list = this.prefixes.get(text.slice(0, len));
      if (list !== undefined) for (const rule of list) this.indexedHit(rule, bounded, scope, hits, text);
    }
  }

  private indexedHit(rule: CompiledRule, bounded: string, scope: Scope, hits: RuleHit[], text: string): void {
    if (rule.literal >= 0 && this.literalStamp[rule.literal] !== this.gen) return;
    this.hit(rule, bounded, true, scope, hits, text);
  }

  /** Records the rule when in scope and matching; `reported` is the full text for regex rules. */
  private hit(
    rule: CompiledRule,
    text: string,
    isCommand: boolean,
    scope: Scope,
    hits: RuleHit[],
    reported: string | null,
  ): void {
    if (this.ruleStamp[rule.order] === this.gen) return;
    this.ruleStamp[rule.order] = this.gen;
    if (!ruleInScope(rule, scope)) return;
    if (rule.re !== null && !rule.re.test(text)) return;
    hits.push({ rule, text: reported ?? text, isCommand });
  }

  private resetStamps(): void {
    this.literalStamp.fill(0);
    this.ruleStamp.fill(0);
    this.gen = 1;
  }
}

function compileRule(input: RuleInput, policy: number, order: number): CompiledRule {
  const base: CompiledRule = {
    order,
    policy,
    input,
    kind: input.patternType,
    text: "",
    re: null,
    command: null,
    commandOnly: true,
    literal: -1,
    typeMask: 0,
  };
  const pattern = input.pattern;
  if (pattern.trim() === "" || pattern.length > MAX_PATTERN_LENGTH) {
    throw new PolicyCompileError(
      "INVALID_PATTERN",
      input.policyId,
      input.id,
      `rule "${input.name}": pattern must be non-blank and at most ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  switch (input.patternType) {
    case "exact":
      base.text = normalizeExact(pattern);
      return base;
    case "contains":
      base.text = normalizeContains(pattern);
      base.commandOnly = false;
      return base;
    case "regex":
      try {
        base.re = compileRegex(pattern);
      } catch (e) {
        throw new PolicyCompileError(
          "INVALID_REGEX",
          input.policyId,
          input.id,
          `rule "${input.name}": invalid regular expression: ${(e as Error).message}`,
        );
      }
      return base;
    case "command": {
      const spec = parseCommandSpec(pattern);
      if (!spec.ok) {
        throw new PolicyCompileError(
          "INVALID_PATTERN",
          input.policyId,
          input.id,
          `rule "${input.name}": ${spec.message}`,
        );
      }
      base.command = new CommandMatcher(spec.spec);
      return base;
    }
    default:
      throw new PolicyCompileError(
        "INVALID_PATTERN",
        input.policyId,
        input.id,
        `rule "${input.name}": unknown pattern type ${String(input.patternType)}`,
      );
  }
}
