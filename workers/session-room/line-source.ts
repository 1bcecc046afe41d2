// Where the command tracker gets the line a key would accept: the shell's input area (or readline's search
// display) at its prompt, a running program's line elsewhere, the typed text when the screen shows nothing
// (echo off) or something else than what was typed. Reads as soon as the screen shows exactly what was
// typed with printable keys (the fast path: no wait beyond the echo); after any other key it waits for
// the target to answer and go quiet, so completion and recall are on the screen before the line is read.
import type { EchoClock } from "./echo-clock.ts";
import type { KeyModel } from "./keystrokes.ts";
import {
  cursorOf,
  type Pos,
  readInputArea,
  readTypedArea,
  searchCandidates,
  startOf,
} from "./line-reader.ts";
import type { Screen } from "./screen.ts";

export interface Read {
  candidates: string[];
  hidden: boolean;
  /** Read from readline's search display: never a continuation. */
  search: boolean;
  /** A candidate that is what was typed but is not on the screen (a program showing `****` for a
   * password): judged, and treated as input typed with echo off if it decides. */
  unseen?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rtrim = (s: string) => s.replace(/\s+$/, "");

export class LineSource {
  constructor(
    private readonly screen: Screen,
    private readonly keys: KeyModel,
    private readonly echo: EchoClock,
    private readonly maxWaitMs: number,
  ) {}

  /** The line at the shell's prompt, its input area starting at `start`. `pending`: the earlier lines of
   * a command continued over several lines (PS2), which the input area shows and the typed text lacks. */
  async shellLine(start: Pos, pending = ""): Promise<Read> {
    const term = this.screen.term;
    const read = () => readInputArea(term, start);
    let text = (await this.matchTyped(read)) ?? (await this.readWhenEchoed(read));
    const search = searchCandidates(term, startOf(start, cursorOf(term).row).row);
    if (search) return { candidates: search, hidden: false, search: true };
    const hidden = !text.trim() && Boolean(this.keys.typed.trim());
    if (hidden) text = this.keys.typed;
    // Typed with echo off — or its echo late — after continued lines: still judged joined to them (a line
    // judged without them let `rm -rf \` + `/` through); the row says HIDDEN, so nothing typed is stored.
    return { ...this.withTyped(text, "", pending ? `${pending}\n` : ""), hidden, search: false };
  }

  /** The line read, and — when only printable keys were used — the text typed too, if it differs (output
   * of a background job landing on the input line must not hide what was typed). `prefix` goes before
   * both, `typedPrefix` before the typed text only. */
  private withTyped(text: string, prefix: string, typedPrefix = prefix): Pick<Read, "candidates" | "unseen"> {
    const typed = rtrim(this.keys.typed);
    const shown = prefix + text;
    const full = typedPrefix + this.keys.typed;
    if (!this.keys.plain || !typed || rtrim(full) === rtrim(shown)) return { candidates: [shown] };
    const both = [shown, full];
    return rtrim(text).endsWith(typed) ? { candidates: both } : { candidates: both, unseen: full };
  }

  /** The line of a running program, typed from `start`; `pending`: lines it holds unfinished. */
  async programLine(start: Pos, pending: string): Promise<Read> {
    const term = this.screen.term;
    const read = () => readTypedArea(term, start);
    let text = await this.matchTyped(read);
    if (text === null && this.keys.plain && !read().trim()) {
      // Nothing shown yet: echo is off (a password) or late. Wait for it no longer than echoes take here.
      await this.echo.awaitEcho();
      await this.screen.settled();
      text = read().trim() ? null : "";
    }
    text ??= await this.readWhenEchoed(read);
    const hidden = !text.trim() && Boolean(this.keys.typed.trim());
    if (hidden) text = this.keys.typed;
    const prefix = pending ? `${pending}\n` : "";
    return { ...this.withTyped(text, prefix), hidden, search: false };
  }

  /** The fast path: only printable keys since the line began and the screen shows exactly them (its echo
   * arrived within the usual echo time) — nothing else can be pending. Null otherwise. */
  private async matchTyped(read: () => string): Promise<string | null> {
    if (!this.keys.plain) return null;
    const want = rtrim(this.keys.typed);
    if (!want) return null;
    const deadline = this.echo.lastForwardAt + this.echo.budget();
    for (;;) {
      await this.screen.settled();
      const text = read();
      if (rtrim(text) === want) return text;
      if (Date.now() >= deadline || !want.startsWith(rtrim(text))) return null;
      await sleep(2);
    }
  }

  /** Reads the line once the screen shows the text typed since the last editing key and output has
   * settled (completion, history recall): a line read too early must never be judged. */
  private async readWhenEchoed(read: () => string): Promise<string> {
    const tail = rtrim(this.keys.tail);
    const start = Date.now();
    for (;;) {
      await this.echo.settle();
      await this.screen.settled();
      const line = read();
      if (!tail || rtrim(line).endsWith(tail) || Date.now() - start > this.maxWaitMs) return line;
      await sleep(20);
    }
  }
}
