// State shared by one parseCommandLine call across nested sources ($(…), backticks, bash -c strings,
// eval, here-documents): the command sink, the uncertainty flags and what the line assigns. The parser
// (parse-shell.ts) and the interpreter of command semantics (command-semantics.ts) both write here.

import { collapseSpaces, type ExpandState, type RawWord } from "./shell-words.ts";
import type { CommandOrigin, ParsedCommand, ParseFlag, Redirect } from "./types.ts";

/** Nesting bound for substitutions and re-parsed strings together; deeper input is flagged, not parsed. */
export const MAX_DEPTH = 8;

/** Longest text (one canonical command or one source fragment) evaluated in full. Regexes only ever see
 * this much of a text (see regex-safety.ts); a longer one is flagged too-long, which escalates. */
export const MAX_TEXT_LENGTH = 4096;

export interface RawRedirect {
  op: string;
  fd: string;
  target: RawWord | null;
  /** Here-document body, filled in when the parser reaches the line after the command. */
  heredoc: string | null;
}

/** A simple command as lexed, before expansion and before wrappers are looked through. */
export interface RawCommand {
  words: RawWord[];
  redirects: RawRedirect[];
  /** The simple command on the left of `|`, when there is one. */
  pipeFrom: RawCommand | null;
  /** Nesting level of $(…) inside its own source. */
  level: number;
}

export class ParseContext implements ExpandState {
  readonly commands: ParsedCommand[] = [];
  readonly fragments: string[] = [];
  private index: Map<string, ParsedCommand> | null = null;
  /** Values the line assigns to each variable (created on first assignment: most lines have none). */
  private assigned: Map<string, string[]> | null = null;
  /** `$(echo rm)` → "rm": outputs of substitutions that only echo literals. */
  private produced: Map<string, string> | null = null;
  incomplete = false;
  dynamicProgram = false;
  depthExceeded = false;
  runtimeArgs = false;
  tooLong = false;
  expansionLimit = false;
  historyExpansion = false;
  uncheckableCode = false;
  opaqueScript = false;
  readonly uncheckable: string[] = [];

  constructor(
    private readonly parser: (
      ctx: ParseContext,
      src: string,
      depth: number,
      origin: CommandOrigin,
    ) => RawCommand[],
  ) {}

  /** Parses a nested source (backticks, bash -c, eval…) into this same context. */
  parseNested(src: string, depth: number, origin: CommandOrigin): RawCommand[] {
    return this.parser(this, src, depth, origin);
  }

  emit(
    canonical: string,
    program: string | null,
    args: string[],
    origin: CommandOrigin,
    redirects: Redirect[],
    runtimeArgs: boolean,
  ): void {
    if (canonical === "") return;
    // Lines usually hold a handful of commands, where a linear scan beats hashing; a pasted script
    // with hundreds switches to a Map so deduplication stays linear overall.
    let prev: ParsedCommand | undefined;
    if (this.index !== null) prev = this.index.get(canonical);
    else {
      for (const c of this.commands) if (c.canonical === canonical) prev = c;
    }
    if (prev !== undefined) {
      if (runtimeArgs) prev.runtimeArgs = true;
      return;
    }
    const cmd: ParsedCommand = {
      canonical,
      program,
      args,
      origin,
      dynamicProgram: program === null,
      runtimeArgs,
      redirects,
    };
    this.commands.push(cmd);
    if (this.index !== null) this.index.set(canonical, cmd);
    else if (this.commands.length > 32) this.index = new Map(this.commands.map((c) => [c.canonical, c]));
  }

  addFragment(src: string): void {
    const f = collapseSpaces(src.includes("\\\n") ? src.replaceAll("\\\n", "") : src);
    if (f !== "" && !this.fragments.includes(f)) this.fragments.push(f);
  }

  assign(name: string, value: string): void {
    this.assigned ??= new Map();
    const list = this.assigned.get(name);
    if (list === undefined) this.assigned.set(name, [value]);
    else if (list.length < 8 && !list.includes(value)) list.push(value);
  }

  assignedValues(name: string): readonly string[] {
    return this.assigned?.get(name) ?? [];
  }

  setProduced(substitution: string, output: string): void {
    this.produced ??= new Map();
    this.produced.set(substitution, output);
  }

  producedBy(substitution: string): string | undefined {
    return this.produced?.get(substitution);
  }

  /** Records a part of the line that cannot be judged, and why. */
  cannotJudge(flag: "uncheckable-code" | "opaque-script", why: string): void {
    if (flag === "uncheckable-code") this.uncheckableCode = true;
    else this.opaqueScript = true;
    if (!this.uncheckable.includes(why) && this.uncheckable.length < 8) this.uncheckable.push(why);
  }

  flagList(): ParseFlag[] {
    if (!this.tooLong) {
      for (const c of this.commands) if (c.canonical.length > MAX_TEXT_LENGTH) this.tooLong = true;
      for (const f of this.fragments) if (f.length > MAX_TEXT_LENGTH) this.tooLong = true;
    }
    const out: ParseFlag[] = [];
    if (this.incomplete) out.push("incomplete");
    if (this.dynamicProgram) out.push("dynamic-program");
    if (this.depthExceeded) out.push("depth-exceeded");
    if (this.runtimeArgs) out.push("runtime-args");
    if (this.tooLong) out.push("too-long");
    if (this.expansionLimit) out.push("expansion-limit");
    if (this.historyExpansion) out.push("history-expansion");
    if (this.uncheckableCode) out.push("uncheckable-code");
    if (this.opaqueScript) out.push("opaque-script");
    return out;
  }
}
