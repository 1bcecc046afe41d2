// Phase 2 of parsing: what a simple command actually runs. Expands its words, emits its canonical form,
// then looks through wrappers (sudo, env, timeout…), shells given a script (-c, here-string, piped
// echo), eval, xargs, find -exec, alias, trap, ssh and interpreters given inline code (the last three
// and stdin scripts in script-sources.ts) — each inner command is emitted too. A program name only
// known at run time is flagged, and resolved against what the line itself assigns when possible.

import { interpreterOf } from "./interpreters.ts";
import type { ParseContext, RawCommand } from "./parse-context.ts";
import {
  containerExec,
  type Frame,
  inlineCode,
  nested,
  pipedScript,
  sourcedFile,
  ssh,
  stdinText,
} from "./script-sources.ts";
import {
  basename,
  canonicalize,
  decodeField,
  expandWords,
  type Field,
  S_EXP_END,
  S_EXP_START,
} from "./shell-words.ts";
import type { CommandOrigin, Redirect } from "./types.ts";
import {
  RUNUSER_COMMAND,
  SHELLS,
  shellInvocation,
  unwrap,
  WRAPPERS,
  type WrapperSpec,
  xargsInvocation,
} from "./wrappers.ts";

/** Wrapper layers and resolutions followed for one simple command. */
const MAX_HOPS = 16;
/** Candidate values tried for a program name computed at run time. */
const MAX_CANDIDATES = 8;
/** Items of known xargs input / find start points expanded into separate commands. */
const MAX_ITEMS = 8;

const BUILTIN_SPECIAL = [
  "fc",
  "eval",
  "xargs",
  "find",
  "alias",
  "trap",
  "watch",
  "export",
  "declare",
  "typeset",
  "local",
  "readonly",
  "source",
  ".",
  "ssh",
  "docker",
  "podman",
  "kubectl",
  "oc",
];
/** Every program whose semantics run() looks into; one lookup lets ordinary commands skip the rest. */
const SPECIAL: ReadonlySet<string> = new Set([...WRAPPERS.keys(), ...SHELLS, ...BUILTIN_SPECIAL]);

export function interpret(raw: RawCommand, ctx: ParseContext, depth: number, origin: CommandOrigin): void {
  const redirects: Redirect[] = [];
  for (const r of raw.redirects) {
    redirects.push({ op: r.op, fd: r.fd, target: r.target ? decodeField(r.target.coded).text : "" });
  }
  run(expandWords(raw.words, ctx), { raw, ctx, depth, redirects, runtimeArgs: false }, origin, 0);
}

function plain(text: string): Field {
  return { text, coded: text, dynamic: false, glob: false };
}

function texts(fields: readonly Field[]): string[] {
  const out: string[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) out[i] = (fields[i] as Field).text;
  return out;
}

function run(fields: readonly Field[], f: Frame, origin: CommandOrigin, hops: number): void {
  const first = fields[0];
  if (first === undefined) return;
  if (hops > MAX_HOPS) {
    f.ctx.depthExceeded = true;
    return;
  }
  const rest = fields.slice(1);
  const args = texts(rest);
  if (f.runtimeArgs) f.ctx.runtimeArgs = true;
  if (first.dynamic || first.glob) {
    f.ctx.dynamicProgram = true;
    f.ctx.emit(canonicalize(first.text, args), null, args, origin, f.redirects, f.runtimeArgs);
    if (!first.glob) {
      for (const candidate of candidates(first, f.ctx)) run([...candidate, ...rest], f, "resolved", hops + 1);
    }
    return;
  }
  const program = basename(first.text);
  f.ctx.emit(canonicalize(program, args), program, args, origin, f.redirects, f.runtimeArgs);
  if (origin !== "resolved") {
    const alternatives = resolvedArgs(rest, f.ctx);
    if (alternatives !== null) for (const alt of alternatives) run([first, ...alt], f, "resolved", hops + 1);
  }

  if (!SPECIAL.has(program)) {
    const interpreter = interpreterOf(program);
    if (interpreter !== undefined) inlineCode(rest, args, program, interpreter, f);
    return;
  }
  let spec: WrapperSpec | undefined = WRAPPERS.get(program);
  if (program === "runuser" && (args.includes("-u") || args.some((a) => a.startsWith("--user")))) {
    spec = RUNUSER_COMMAND;
  }
  if (spec !== undefined) {
    const u = unwrap(spec, args);
    for (const str of u.strings) nested(f, str, "shell-string");
    if (u.index >= 0) run(rest.slice(u.index), f, "wrapper", hops + 1);
    return;
  }
  if (SHELLS.has(program)) {
    const inv = shellInvocation(args);
    if (inv.kind === "string") nested(f, args[inv.index] as string, "shell-string");
    else if (inv.kind === "stdin") {
      const script = stdinText(f.raw, f.ctx);
      if (typeof script === "string") nested(f, script, "stdin-script");
      else if (script === null) pipedScript(f, program);
    } else if (inv.kind === "file") sourcedFile(f, program, args[inv.index]);
    return;
  }
  switch (program) {
    case "eval":
      nested(f, args.join(" "), "eval");
      return;
    case "source":
    case ".":
      sourcedFile(f, program, args[0]);
      return;
    case "ssh":
      ssh(args, f);
      return;
    case "docker":
    case "podman":
    case "kubectl":
    case "oc":
      containerExec(program, args, f);
      return;
    case "xargs":
      xargs(rest, args, f, hops);
      return;
    case "find":
      findExec(rest, args, f, hops);
      return;
    case "alias":
      for (const a of args) {
        const eq = a.indexOf("=");
        if (eq > 0 && !a.startsWith("-")) nested(f, a.slice(eq + 1), "alias");
      }
      return;
    case "trap": {
      const k = args[0] === "--" ? 1 : 0;
      const action = args[k];
      if (action !== undefined && !action.startsWith("-") && args.length > k + 1) nested(f, action, "trap");
      return;
    }
    case "fc":
      // fc -s (and plain fc, through an editor) re-runs commands from history the engine never saw.
      if (!args.some((a) => /^-[a-zA-Z]*l/.test(a))) f.ctx.historyExpansion = true;
      return;
    case "watch":
      watch(rest, args, f, hops);
      return;
    case "export":
    case "declare":
    case "typeset":
    case "local":
    case "readonly":
      for (const field of rest) {
        const eq = field.text.indexOf("=");
        if (eq > 0 && !field.dynamic) f.ctx.assign(field.text.slice(0, eq), field.text.slice(eq + 1));
      }
      return;
  }
}

function replaceIn(field: Field, token: string, value: string): Field {
  if (!field.text.includes(token)) return field;
  return { ...field, text: field.text.split(token).join(value), coded: field.coded.split(token).join(value) };
}

/** xargs appends its input to the command: known input (echo … |, <<<) is appended as it will be;
 * unknown input marks the command runtime-args. */
function xargs(rest: readonly Field[], args: readonly string[], f: Frame, hops: number): void {
  const inv = xargsInvocation(args);
  const inner = inv.index >= 0 ? rest.slice(inv.index) : [plain("echo")];
  const input = inv.fromFile ? null : stdinText(f.raw, f.ctx);
  if (typeof input !== "string") {
    run(inner, { ...f, runtimeArgs: true }, "xargs", hops + 1);
    return;
  }
  if (inv.replace !== null) {
    const token = inv.replace;
    const lines = input.split("\n").filter((l) => l.trim() !== "");
    for (const line of lines.slice(0, MAX_ITEMS)) {
      run(
        inner.map((field) => replaceIn(field, token, line.trim())),
        f,
        "xargs",
        hops + 1,
      );
    }
    if (lines.length === 0) run(inner, f, "xargs", hops + 1);
    return;
  }
  const items = input.split(/\s+/).filter((t) => t !== "");
  run([...inner, ...items.map(plain)], f, "xargs", hops + 1);
}

const FIND_ACTIONS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);

function isFindExpression(t: string): boolean {
  return (t.startsWith("-") && t.length > 1) || t === "(" || t === "!" || t === ")" || t === ",";
}

/** find -exec CMD {} ; — `{}` becomes each start point, which find visits first (`find / -exec rm -rf
 * {} \;` really runs `rm -rf /`). Deeper paths all lie under a start point. */
function findExec(rest: readonly Field[], args: readonly string[], f: Frame, hops: number): void {
  let i = 0;
  while (i < args.length && /^-(?:[HLP]+|D|O\d*)$/.test(args[i] as string)) i += args[i] === "-D" ? 2 : 1;
  const starts: string[] = [];
  while (i < args.length && !isFindExpression(args[i] as string)) starts.push(args[i++] as string);
  if (starts.length === 0) starts.push(".");
  for (; i < args.length; i++) {
    if (!FIND_ACTIONS.has(args[i] as string)) continue;
    const from = i + 1;
    let j = from;
    while (j < args.length && args[j] !== ";" && args[j] !== "+") j++;
    if (j >= args.length) f.ctx.incomplete = true;
    const cmd = rest.slice(from, j);
    for (const start of starts.slice(0, MAX_ITEMS)) {
      run(
        cmd.map((field) => replaceIn(field, "{}", start)),
        f,
        "find-exec",
        hops + 1,
      );
    }
    i = j;
  }
}

/** watch runs its arguments joined through `sh -c`, or directly with -x. */
function watch(rest: readonly Field[], args: readonly string[], f: Frame, hops: number): void {
  let i = 0;
  let direct = false;
  while (i < args.length) {
    const a = args[i] as string;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a.length === 1) break;
    if (a === "-x" || a === "--exec") direct = true;
    if (a === "-n" || a === "--interval" || a === "-q" || a === "--equexit") i++;
    i++;
  }
  if (i >= args.length) return;
  if (direct) run(rest.slice(i), f, "wrapper", hops + 1);
  else nested(f, args.slice(i).join(" "), "shell-string");
}

const SIMPLE_PARAM = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;
const DEFAULT_PARAM = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?[-=]([^}$`]*)\}$/;

/** Values an expansion may take, from what the line itself assigns or echoes. With `unset`, "" also
 * stands for an unset or empty variable (used for program names, where that changes the program). */
function expansionValues(exp: string, ctx: ParseContext, unset: boolean): string[] {
  const simple = SIMPLE_PARAM.exec(exp);
  if (simple) {
    const known = ctx.assignedValues(simple[1] as string);
    return unset ? [...known, ""] : [...known];
  }
  const withDefault = DEFAULT_PARAM.exec(exp);
  if (withDefault) return [withDefault[2] as string, ...ctx.assignedValues(withDefault[1] as string)];
  const produced = ctx.producedBy(exp);
  if (produced !== undefined) return [produced];
  return unset ? [""] : [];
}

/** Texts a word with expansions may become; null when one of its expansions has no known value. */
function wordValues(word: Field, ctx: ParseContext, unset: boolean): string[] | null {
  let partial = [""];
  const coded = word.coded;
  let from = 0;
  for (;;) {
    const a = coded.indexOf(S_EXP_START, from);
    const literal = decodeField(coded.slice(from, a < 0 ? coded.length : a)).text;
    partial = partial.map((p) => p + literal);
    if (a < 0) break;
    const b = coded.indexOf(S_EXP_END, a);
    const values = expansionValues(coded.slice(a + 1, b < 0 ? coded.length : b), ctx, unset);
    if (values.length === 0) return null;
    const next: string[] = [];
    for (const p of partial) for (const v of values) if (next.length < MAX_CANDIDATES) next.push(p + v);
    partial = next;
    if (b < 0) break;
    from = b + 1;
  }
  return partial;
}

/** Possible argument vectors for a program word whose name is computed at run time. */
function candidates(word: Field, ctx: ParseContext): Field[][] {
  return (wordValues(word, ctx, true) ?? []).map((p) =>
    p
      .split(/\s+/)
      .filter((t) => t !== "")
      .map(plain),
  );
}

/** Arguments whose expansions have values known from the line (`x=/; rm -rf $x`, `$(echo /)`), as
 * alternative argument lists; null when there is nothing to resolve. */
function resolvedArgs(rest: readonly Field[], ctx: ParseContext): Field[][] | null {
  let combos: Field[][] = [[]];
  let changed = false;
  for (const field of rest) {
    const values = field.dynamic ? wordValues(field, ctx, false) : null;
    if (values === null) {
      for (const c of combos) c.push(field);
      continue;
    }
    changed = true;
    const next: Field[][] = [];
    for (const c of combos)
      for (const v of values) if (next.length < MAX_CANDIDATES) next.push([...c, plain(v)]);
    combos = next;
  }
  return changed ? combos : null;
}
