// Where the code a command runs comes from, when it is not the command's own arguments: a script on
// stdin (visible here-strings, here-documents and `echo … |` pipes; or a pipe from a program whose
// output cannot be known — `curl … | sh`), a process substitution (`bash <(curl …)`), code handed inline
// to an interpreter (`python -c`, inline-code.ts) and the command an `ssh` runs on its host. What can be
// read is parsed as shell like any nested string; what cannot is recorded as such (never called safe).
// Split from command-semantics.ts, which owns wrappers, xargs, find and the other argument-level forms.

import { readInlineCode, shellQuote } from "./inline-code.ts";
import { type InterpreterSpec, interpreterInvocation } from "./interpreters.ts";
import { MAX_DEPTH, type ParseContext, type RawCommand } from "./parse-context.ts";
import { basename, decodeField, expandWords, type Field, producedText } from "./shell-words.ts";
import type { CommandOrigin, Redirect } from "./types.ts";

export interface Frame {
  raw: RawCommand;
  ctx: ParseContext;
  depth: number;
  redirects: Redirect[];
  runtimeArgs: boolean;
}

/** Parses a string the command runs as shell, one level deeper. */
export function nested(f: Frame, src: string, origin: CommandOrigin): void {
  if (f.depth + 1 > MAX_DEPTH) f.ctx.depthExceeded = true;
  else f.ctx.parseNested(src, f.depth + 1, origin);
}

/** What feeds a command's stdin when the line does not show it: the program piping into it, or a
 * process substitution (`bash < <(curl …)`); null for the terminal or a file (`bash < f`). */
function pipeSource(raw: RawCommand, ctx: ParseContext): string | null {
  for (const r of raw.redirects) {
    if ((r.fd !== "" && r.fd !== "0") || !r.op.startsWith("<")) continue;
    const target = r.target ? decodeField(r.target.coded).text : "";
    return target.startsWith("<(") ? "a process substitution" : null;
  }
  const producer = raw.pipeFrom;
  if (producer === null) return null;
  const first = expandWords(producer.words, ctx)[0];
  return first === undefined || first.dynamic || first.glob
    ? "a program only known at run time"
    : basename(first.text);
}

/** A shell or interpreter reading a script the line does not show from a pipe (`curl … | sh`,
 * `base64 -d … | bash` with unreadable input). A script from a file (`bash < f`) is opaque by design,
 * like `bash f`, and not flagged. */
export function pipedScript(f: Frame, program: string): void {
  const source = pipeSource(f.raw, f.ctx);
  if (source !== null) f.ctx.cannotJudge("opaque-script", `a script piped into ${program} from ${source}`);
}

/** `bash <(curl …)`, `source <(…)`: a script produced at run time. */
export function sourcedFile(f: Frame, program: string, file: string | undefined): void {
  if (file?.startsWith("<(")) {
    f.ctx.cannotJudge("opaque-script", `a script ${program} reads from a process substitution`);
  }
}

/** python -c, perl -e, awk '…' and friends: the commands the code runs are judged; code that cannot be
 * read statically is recorded as such (inline-code.ts). */
export function inlineCode(
  rest: readonly Field[],
  args: readonly string[],
  program: string,
  spec: InterpreterSpec,
  f: Frame,
): void {
  const inv = interpreterInvocation(spec, args);
  const name = spec.language;
  const codes: string[] = [];
  for (const c of inv.code) {
    if ((rest[c.index] as Field).dynamic) {
      f.ctx.cannotJudge("uncheckable-code", `inline ${name} code built at run time`);
      return;
    }
    codes.push((args[c.index] as string).slice(c.from));
  }
  if (inv.stdin) {
    const script = stdinText(f.raw, f.ctx);
    if (typeof script === "string") codes.push(script);
    else if (script === null) pipedScript(f, program);
  } else if (inv.code.length === 0) {
    sourcedFile(
      f,
      program,
      args.find((a) => !a.startsWith("-") || a.startsWith("<(")),
    );
  }
  for (const code of codes) {
    const verdict = readInlineCode(name, code);
    for (const cmd of verdict.commands) nested(f, cmd, "interpreter");
    if (verdict.uncheckable !== null) f.ctx.cannotJudge("uncheckable-code", verdict.uncheckable);
  }
}

/** ssh [options] destination [command…]: the command runs on the remote host through its shell. */
const SSH_VALUES = "BbcDEeFIiJLlmOopQRSWw";

export function ssh(args: readonly string[], f: Frame): void {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a.length === 1) break;
    for (let k = 1; k < a.length; k++) {
      if (SSH_VALUES.includes(a.charAt(k))) {
        if (k + 1 === a.length) i++;
        break;
      }
    }
  }
  const command = args.slice(i + 1);
  if (command.length > 0) nested(f, command.join(" "), "remote");
}

/** Options of `docker`/`podman` (before the subcommand) and of their `exec` that take a value. */
const DOCKER_GLOBAL_VALUES = [
  "-H",
  "--host",
  "-c",
  "--context",
  "--config",
  "-l",
  "--log-level",
  "--url",
  "--connection",
];
const DOCKER_EXEC_VALUES = ["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"];

/** Index of the first operand after options, given the options that take a value; `--` is skipped. */
function firstOperand(args: readonly string[], from: number, values: readonly string[]): number {
  let i = from;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") return i + 1;
    if (!a.startsWith("-") || a.length === 1) return i;
    if (!a.includes("=") && values.includes(a)) i++;
  }
  return i;
}

/** `docker|podman [global] exec [options] CONTAINER CMD…` and `kubectl exec … -- CMD…` run CMD (an argv,
 * not a shell line) on the same servers the policy governs: it is judged like any command. */
export function containerExec(program: string, args: readonly string[], f: Frame): void {
  let words: readonly string[] = [];
  if (program === "kubectl" || program === "oc") {
    const dash = args.indexOf("--");
    if (args.includes("exec") && dash >= 0) words = args.slice(dash + 1);
  } else {
    let i = firstOperand(args, 0, DOCKER_GLOBAL_VALUES);
    if (args[i] === "container") i++;
    if (args[i] !== "exec") return;
    const container = firstOperand(args, i + 1, DOCKER_EXEC_VALUES);
    words = args.slice(container + 1);
  }
  if (words.length > 0) nested(f, words.map(shellQuote).join(" "), "remote");
}

/** The script a command reads on stdin: a string when it is visible on the line, null when it comes
 * from somewhere else (a file, another program), undefined when stdin is the terminal. */
export function stdinText(raw: RawCommand, ctx: ParseContext): string | null | undefined {
  let text: string | null | undefined;
  for (const r of raw.redirects) {
    if (r.fd !== "" && r.fd !== "0") continue;
    if (r.op === "<<<") text = r.target ? decodeField(r.target.coded).text : null;
    else if (r.op === "<<" || r.op === "<<-") text = r.heredoc;
    else if (r.op === "<" || r.op === "<&" || r.op === "<>") text = null;
  }
  if (text !== undefined) return text;
  const producer = raw.pipeFrom;
  if (producer === null) return undefined;
  const fields = expandWords(producer.words, ctx);
  const program = fields[0];
  if (program === undefined || program.dynamic || program.glob) return null;
  const upstream = stdinText(producer, ctx);
  return producedText(
    basename(program.text),
    fields.slice(1),
    typeof upstream === "string" ? upstream : null,
  );
}
