// Matching of `command` rules (command-spec.ts) against a parsed simple command: its program basename
// and its arguments split into options and operands the way GNU getopt reads them, so that every
// spelling of an option is the same option:
// - short options bundle (`-rf` = `-r -f`), long options may be abbreviated to an unambiguous prefix of
//   an option the program's table lists (`--rec` = `--recursive`), `--name=value` carries its value;
// - options may follow operands (GNU permutes: `rm / -rf`); `--` ends the options;
// - spellings the program's table (option-tables.ts) lists as one option are one option
//   (`-r` ≡ `-R` ≡ `--recursive`); options that take a value consume it, so it is not an operand;
// - operands are compared after lexical path normalisation (`//`, `/./`, `/tmp/..` and `/.` are `/`,
//   a trailing slash is dropped, `$HOME`/`${HOME}` is `~`).
// The wrapper layers (sudo, env, command, nohup…), quoting, `\rm`, `/bin/rm` and every other way a line
// spells a command are already undone by the parser: a rule sees the command each layer runs.

import type { CommandSpec } from "./command-spec.ts";
import { type OptionTable, optionTableOf } from "./option-tables.ts";

interface Lookup {
  canon: Map<string, string>;
  longs: string[];
  values: Set<string>;
  words: boolean;
}

const NO_TABLE: Lookup = { canon: new Map(), longs: [], values: new Set(), words: false };
const lookups = new WeakMap<OptionTable, Lookup>();

function lookupOf(program: string): Lookup {
  const table = optionTableOf(program);
  if (table === undefined) return NO_TABLE;
  let l = lookups.get(table);
  if (l === undefined) {
    l = {
      canon: new Map(),
      longs: [],
      values: new Set(table.values ?? []),
      words: table.wordOptions === true,
    };
    for (const group of table.same ?? []) {
      const first = group[0] as string;
      for (const spelling of group) l.canon.set(spelling, first);
    }
    for (const v of l.values) if (!l.canon.has(v)) l.canon.set(v, v);
    for (const spelling of l.canon.keys()) if (spelling.startsWith("--")) l.longs.push(spelling);
    lookups.set(table, l);
  }
  return l;
}

/** A long option as getopt_long resolves it: exact, else the one listed option it abbreviates. */
function resolveLong(l: Lookup, name: string): string {
  const exact = l.canon.get(name);
  if (exact !== undefined) return exact;
  let found: string | null = null;
  for (const long of l.longs) {
    if (!long.startsWith(name)) continue;
    const c = l.canon.get(long) as string;
    if (found !== null && found !== c) return name;
    found = c;
  }
  return found ?? name;
}

export interface Argv {
  options: Set<string>;
  operands: string[];
}

/** Splits arguments into canonical option names and operands. */
export function readArgv(program: string, args: readonly string[]): Argv {
  const l = lookupOf(program);
  const options = new Set<string>();
  const operands: string[] = [];
  let ended = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (ended || a === "-" || !a.startsWith("-")) {
      operands.push(a);
      continue;
    }
    if (a === "--") {
      ended = true;
      continue;
    }
    const whole = l.canon.get(a) ?? (l.words && !a.startsWith("--") ? a : undefined);
    if (whole !== undefined && !a.startsWith("--")) {
      options.add(whole);
      if (l.values.has(a) || l.values.has(whole)) i++;
      continue;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = resolveLong(l, eq < 0 ? a : a.slice(0, eq));
      options.add(name);
      if (eq < 0 && l.values.has(name)) i++;
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const short = `-${a.charAt(k)}`;
      const name = l.canon.get(short) ?? short;
      options.add(name);
      if (l.values.has(short) || l.values.has(name)) {
        if (k + 1 === a.length) i++;
        break;
      }
    }
  }
  return { options, operands };
}

/** Lexical normalisation of an operand that looks like a path; other words are returned as they are. */
export function normalizeOperand(word: string): string {
  let w = word;
  if (w.startsWith("$HOME") && (w.length === 5 || w.charAt(5) === "/")) w = `~${w.slice(5)}`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
  else if (w.startsWith("${HOME}")) w = `~${w.slice(7)}`;
  if (!w.includes("/")) return w;
  const absolute = w.startsWith("/");
  const parts = w.split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      const last = out[out.length - 1];
      if (last !== undefined && last !== ".." && last !== "~") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(p);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}

const LIT = 0;
const ONE = 1;
const STAR = 2;
const GLOBSTAR = 3;

/** A compiled argument pattern: `*` any run without `/`, `**` any run, `?` one character but `/`. */
export interface ArgPattern {
  literal: string | null;
  kinds: Uint8Array;
  chars: string;
}

export function compileArgPattern(pattern: string): ArgPattern {
  const kinds: number[] = [];
  let chars = "";
  let wild = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\" && i + 1 < pattern.length) {
      kinds.push(LIT);
      chars += pattern.charAt(++i);
    } else if (c === "*") {
      wild = true;
      const g = pattern.charAt(i + 1) === "*";
      if (g) i++;
      kinds.push(g ? GLOBSTAR : STAR);
      chars += " ";
    } else if (c === "?") {
      wild = true;
      kinds.push(ONE);
      chars += " ";
    } else {
      kinds.push(LIT);
      chars += c;
    }
  }
  const literal = wild ? null : normalizeOperand(chars);
  return { literal, kinds: Uint8Array.from(kinds), chars: wild ? chars : (literal ?? chars) };
}

/** Glob match by state-set simulation: O(text × pattern), never exponential. */
export function matchArg(p: ArgPattern, text: string): boolean {
  if (p.literal !== null) return p.literal === text;
  const m = p.kinds.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  const close = (s: Uint8Array) => {
    for (let j = 0; j < m; j++) if (s[j] === 1 && (p.kinds[j] as number) >= STAR) s[j + 1] = 1;
  };
  cur[0] = 1;
  close(cur);
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    next.fill(0);
    let any = false;
    for (let j = 0; j < m; j++) {
      if (cur[j] !== 1) continue;
      const k = p.kinds[j];
      if (k === LIT) {
        if (p.chars.charAt(j) === c) next[j + 1] = 1;
      } else if (k === ONE) {
        if (c !== "/") next[j + 1] = 1;
      } else if (k === GLOBSTAR || c !== "/") next[j] = 1;
    }
    close(next);
    for (let j = 0; j <= m; j++) if (next[j] === 1) any = true;
    if (!any) return false;
    const t = cur;
    cur = next;
    next = t;
  }
  return cur[m] === 1;
}

/** A `command` rule ready to match: programs by name or prefix, options resolved per program. */
export class CommandMatcher {
  readonly names: string[] = [];
  readonly prefixes: string[] = [];
  private readonly subcommands: Set<string> | null;
  private readonly args: ArgPattern[];
  private readonly required = new Map<string, { all: string[]; any: string[] }>();

  constructor(private readonly spec: CommandSpec) {
    for (const p of spec.program) {
      if (p.endsWith("*")) this.prefixes.push(p.slice(0, -1));
      else this.names.push(p);
    }
    this.subcommands = spec.subcommand ? new Set(spec.subcommand) : null;
    this.args = (spec.args ?? []).map(compileArgPattern);
  }

  /** The spec's options in this program's canonical names (a spec option may be a bundle: `-rf`). */
  private requiredFor(program: string): { all: string[]; any: string[] } {
    let r = this.required.get(program);
    if (r === undefined) {
      const all = [...readArgv(program, this.spec.options ?? []).options];
      const any: string[] = [];
      for (const o of this.spec.any_options ?? []) any.push(...readArgv(program, [o]).options);
      r = { all, any };
      if (this.required.size < 64) this.required.set(program, r);
    }
    return r;
  }

  matches(program: string, args: readonly string[]): boolean {
    const argv = readArgv(program, args);
    const req = this.requiredFor(program);
    for (const o of req.all) if (!argv.options.has(o)) return false;
    if (req.any.length > 0 && !req.any.some((o) => argv.options.has(o))) return false;
    if (this.subcommands !== null) {
      const first = argv.operands[0];
      if (first === undefined || !this.subcommands.has(first)) return false;
    }
    if (this.args.length === 0) return true;
    for (const operand of argv.operands) {
      const w = normalizeOperand(operand);
      for (const p of this.args) if (matchArg(p, w)) return true;
    }
    // A negative number (`kill -9 -1`) reads as an option; a pattern written with a dash looks at words.
    for (const p of this.args) {
      if (p.chars.startsWith("-")) for (const a of args) if (matchArg(p, a)) return true;
    }
    return false;
  }
}
