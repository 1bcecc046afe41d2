// The command tracker: turns what typists send into the lines the shell (or a running program) will accept,
// and enforces policy before the accepting key reaches the target. Every key that accepts a line — CR, LF,
// Ctrl-O, Meta-# (keystrokes.ts) — is withheld until the line is judged. The line is read from the screen
// model (line-source.ts, line-reader.ts): at the shell's prompt the input area after OSC 133;B, so
// completion, history recall and reverse search are seen as the shell sees them; inside a running program
// the text on its line (or, with echo off, what was typed — judged and never stored, verdict.ts).
// allow → the key is forwarded; block → the line is cleared on the target (Ctrl-E Ctrl-U) and the rest of
// the typist's pending input is dropped; approval → held until an approver decides. The command that runs
// is followed to its end (OSC 133;D, exit status) by running-command.ts. Programs that own the terminal
// (alternate screen) get their input unchecked and produce no rows.
import type { Decision } from "../policy/index.ts";
import { EchoClock } from "./echo-clock.ts";
import { type AcceptKind, KeyModel } from "./keystrokes.ts";
import { anchorCursor, cursorOf, type Pos, readInputArea, release } from "./line-reader.ts";
import { LineSource, type Read } from "./line-source.ts";
import type { ScanEvent } from "./osc-scanner.ts";
import { type Finished, RunningCommand } from "./running-command.ts";
import type { Screen } from "./screen.ts";
import { HIDDEN, hiddenOutcome, pickStrictest, UNAVAILABLE } from "./verdict.ts";

export { HIDDEN } from "./verdict.ts";
export const ECHO_QUIET_MS = 40;
export const ECHO_MAX_WAIT_MS = 1_500;
export const NEXT_PROMPT_WAIT_MS = 3_000;
const MAX_PENDING = 8_192;
// Cancels the line on the target: end of line, then kill the line (readline, zle, and the tty's own KILL
// character for a program reading lines). Not Ctrl-C: an interrupt makes the kernel flush input the shell
// has not read yet, and bash may redisplay the line after it.
const CANCEL = new Uint8Array([0x05, 0x15]);
// A command continued over several lines (PS2) has earlier lines the shell holds already: only an interrupt
// discards them. Input after a refused line is dropped anyway, so the interrupt's flush loses nothing.
const INTERRUPT = new Uint8Array([0x03]);
const PASTE_END = new TextEncoder().encode("\x1b[201~");

export interface Typist {
  userId: string;
  roleId: string | null;
  name: string;
}

export interface TrackerHost {
  screen: Screen;
  /** Bytes to the shell; false when they are held back for now (the execution guard holds what is typed
   * behind an approved Enter until the shell's verdict is out): `sent()` follows when they leave. */
  forward(bytes: Uint8Array): boolean | undefined;
  evaluate(line: string, typist: Typist): Promise<Decision>;
  /** Writes the COMMAND row of an allowed command; returns its id. */
  started(line: string, typist: Typist, d: Decision): Promise<string>;
  finished(id: string, r: Finished): Promise<void>;
  blocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void>;
  /** Holds the command until an approver decides; resolves true to run it. */
  approval(line: string, typist: Typist, d: Decision): Promise<boolean>;
  /** Input the typist sent after a line that was not let through, dropped unsent. */
  dropped(typist: Typist, bytes: number): void;
  lastOutputAt(): number;
}

interface Frame {
  seq: number;
  /** When it arrived, on the tracker's event clock. */
  rx: number;
}

export class CommandTracker {
  /** Shell integration seen: prompt boundaries and exit codes are known. */
  integrated = false;
  atPrompt = false;
  altScreen = false;
  /** The reader asked for bracketed paste (ESC[?2004h). */
  pasteMode = false;
  private inputStart: Pos | null = null;
  private lineStart: Pos | null = null;
  private readonly keys = new KeyModel();
  /** A line was accepted at the prompt: `done` once the shell started it (C) or prompted again (B);
   * `doneAt` is a position on `clock`, which counts input frames and output events in arrival order. */
  private launch: { done: boolean; doneAt: number } | null = null;
  /** The last command ended (D) and the shell has not prompted again (B): the shell reads what comes. */
  private betweenCommands = false;
  private clock = 0;
  /** Lines a running program accepted while they were unfinished (a nested shell's continuation). */
  private pending = "";
  /** An unfinished line's key was let through: the reader holds earlier lines of this input. */
  private continuing = false;
  private readonly echo: EchoClock;
  /** Bytes of the line being typed were held by the execution guard (typed after an approved line's key,
   * before its verdict): they reach the shell with the verdict, while the trap's `read -s` has echo off. */
  private heldLine = false;
  private readonly source: LineSource;
  private readonly running: RunningCommand;
  private chain: Promise<void> = Promise.resolve();
  private promptWaiters: (() => void)[] = [];
  private seq = 0;
  private dropThrough = 0;
  /** Bytes received and not yet processed. */
  backlog = 0;

  constructor(private readonly host: TrackerHost) {
    this.echo = new EchoClock(() => host.lastOutputAt(), ECHO_MAX_WAIT_MS, ECHO_QUIET_MS);
    this.source = new LineSource(host.screen, this.keys, this.echo, ECHO_MAX_WAIT_MS);
    this.running = new RunningCommand(
      (id, r) => host.finished(id, r),
      () => host.lastOutputAt(),
    );
  }

  // ── output side ────────────────────────────────────────────────────────────────────────────────

  /** Called for every output piece after the screen model received it, with the event that ended it. */
  onOutput(bytes: Uint8Array, event: ScanEvent | null): void {
    if (bytes.length) this.echo.output();
    // A full-screen program's drawing is not output worth keeping (and would echo what is typed into it).
    if (!this.altScreen) this.running.output(bytes);
    if (!event) return;
    switch (event.kind) {
      case "prompt-start":
        this.integrated = true;
        this.atPrompt = false;
        break;
      case "prompt-end":
        this.integrated = true;
        this.atPrompt = true;
        this.betweenCommands = false;
        this.launch = null;
        this.setLineStart(null);
        this.pending = "";
        this.continuing = false;
        this.host.screen.at(() => {
          release(this.inputStart);
          this.inputStart = anchorCursor(this.host.screen.term);
        });
        for (const w of this.promptWaiters.splice(0)) w();
        break;
      case "command-start":
        this.atPrompt = false;
        this.launched();
        this.running.began();
        break;
      case "command-end":
        this.atPrompt = false;
        this.betweenCommands = true;
        this.running.finish(event.exitCode);
        break;
      case "alt-screen":
        this.altScreen = event.on;
        break;
      case "bracketed-paste":
        this.pasteMode = event.on;
        break;
    }
  }

  private launched(): void {
    if (this.launch && !this.launch.done) this.launch = { done: true, doneAt: ++this.clock };
  }

  // ── input side ─────────────────────────────────────────────────────────────────────────────────

  /** Input of a participant who may type; processed strictly in order. */
  input(bytes: Uint8Array, typist: Typist): Promise<void> {
    const frame = { seq: ++this.seq, rx: ++this.clock };
    this.backlog += bytes.length;
    this.chain = this.chain
      .then(() => {
        this.backlog -= bytes.length;
        return this.process(bytes, typist, frame);
      })
      .catch((err) => {
        console.error(JSON.stringify({ level: "error", msg: "command tracker failed", error: String(err) }));
      });
    return this.chain;
  }

  private async process(bytes: Uint8Array, typist: Typist, frame: Frame): Promise<void> {
    // Sent before the typist could see that an earlier line was not let through: dropped (told once).
    if (frame.seq <= this.dropThrough) return;
    let buf = bytes;
    while (buf.length > 0) {
      if (this.altScreen) {
        this.forward(buf);
        return;
      }
      if (!this.lineStart) {
        await this.host.screen.settled();
        this.setLineStart(anchorCursor(this.host.screen.term));
      }
      // Newlines in a paste stay text only for a shell at its prompt that asked for bracketed paste.
      const shield = this.integrated && this.atPrompt && this.pasteMode && !this.launch;
      const acc = this.keys.findAccept(buf, 0, shield);
      if (!acc) {
        this.keys.note(buf);
        this.forward(buf);
        return;
      }
      if (acc.at > 0) {
        this.keys.note(buf.subarray(0, acc.at));
        this.forward(buf.subarray(0, acc.at));
      }
      const key = buf.slice(acc.at, acc.at + acc.len);
      buf = buf.subarray(acc.at + acc.len);
      if (!(await this.accept(key, acc.kind, typist, frame))) {
        this.dropThrough = this.seq;
        const dropped = buf.length + this.backlog;
        if (dropped > 0) this.host.dropped(typist, dropped);
        return;
      }
    }
  }

  /** Judges the line `key` would accept; forwards the key if it may run. False when it was refused. */
  private async accept(key: Uint8Array, kind: AcceptKind, typist: Typist, frame: Frame): Promise<boolean> {
    if (kind === "paste-line") return this.acceptPasteLine(key, typist);
    const held = this.heldLine;
    this.heldLine = false;
    const ahead = this.launch && (!this.launch.done || frame.rx < this.launch.doneAt || held);
    if (this.integrated && (ahead || this.betweenCommands)) {
      // Typed before the previous line even started (with the guard: before its verdict went out, so the
      // terminal did not echo it), or after a command ended and before the shell prompted again:
      // type-ahead the shell reads, and shows, at its next prompt.
      await this.waitForPrompt(NEXT_PROMPT_WAIT_MS);
      this.launched();
    }
    const shellLine = this.integrated && this.atPrompt;
    const term = this.host.screen.term;
    const read = shellLine
      ? await this.source.shellLine(this.inputStart ?? this.lineStart ?? cursorOf(term), this.pending)
      : await this.source.programLine(this.lineStart ?? cursorOf(term), this.pending);
    this.setLineStart(null);
    const ok = await this.decide(read, kind, typist, shellLine);
    if (ok !== "continued") {
      this.pending = "";
      this.continuing = false;
    }
    this.keys.reset(!(ok === true && kind === "operate"));
    if (ok === false) return false;
    if (ok === "continued") this.forward(key);
    else this.sendKey(key, shellLine);
    return true;
  }

  /**
   * A newline inside a bracketed paste at the prompt: readline keeps it as text and the whole paste is
   * judged at the Enter after it; but were the markers not honoured (`bind -r '\e[200~'`), this line would
   * run now. So it is judged now as the line it would be — what the input area shows plus the pasted text
   * — and a rule it breaks refuses the paste. Doubts (an unfinished compound) wait for the final Enter.
   */
  private async acceptPasteLine(key: Uint8Array, typist: Typist): Promise<boolean> {
    const term = this.host.screen.term;
    await this.host.screen.settled();
    const shown = readInputArea(term, this.inputStart ?? this.lineStart ?? cursorOf(term));
    const pasted = this.keys.pasteText;
    this.keys.pasteText = "";
    const lines = [...new Set([pasted.trim(), `${shown}${pasted}`.trim()])].filter(Boolean);
    if (lines.length === 0) {
      this.forward(key);
      return true;
    }
    let verdicts: Decision[];
    try {
      verdicts = await Promise.all(lines.map((l) => this.host.evaluate(l, typist)));
    } catch {
      verdicts = lines.map(() => UNAVAILABLE);
    }
    const { d, line } = pickStrictest(verdicts, lines);
    const violation = d.rule !== null || d.policy !== null || d === UNAVAILABLE;
    if (!violation || (d.decision === "require_approval" && (await this.host.approval(line, typist, d)))) {
      this.forward(key);
      return true;
    }
    // End the paste (for a reader that honours it), then cancel the line.
    this.forward(PASTE_END);
    this.keys.pasting = false;
    this.cancelLine();
    this.keys.reset();
    this.setLineStart(null);
    await this.host.blocked(line, typist, d, d.decision === "block" ? d.reason : `Not approved: ${d.reason}`);
    return false;
  }

  /** true: let through; false: refused; "continued": an unfinished line whose key was let through. */
  private async decide(
    read: Read,
    kind: AcceptKind,
    typist: Typist,
    shellLine: boolean,
  ): Promise<boolean | "continued"> {
    const texts = new Set<string>();
    for (const c of read.candidates) {
      texts.add(c.trim());
      // Meta-# with an argument uncomments the line before running it.
      if (kind === "comment") texts.add(c.trim().replace(/^#+\s*/, ""));
    }
    texts.delete("");
    if (texts.size === 0) return true;
    const lines = [...texts];
    let verdicts: Decision[];
    try {
      verdicts = await Promise.all(lines.map((l) => this.host.evaluate(l, typist)));
    } catch {
      this.cancelLine();
      const line = read.hidden ? HIDDEN : (lines[0] as string);
      await this.host.blocked(line, typist, UNAVAILABLE, UNAVAILABLE.reason);
      return false;
    }
    const { d, line } = pickStrictest(verdicts, lines);
    const violation = d.rule !== null || d.policy !== null;
    if (read.hidden || (read.unseen !== undefined && line === read.unseen.trim())) {
      const out = hiddenOutcome(d, shellLine);
      // Unfinished (its echo late, or typed blind): the line that completes it is judged joined to it.
      if (out === "allow" && kind === "enter" && d.flags.includes("incomplete")) return this.continued(line);
      if (out === "allow") return true;
      this.cancelLine();
      await this.host.blocked(HIDDEN, typist, out.decision, out.reason);
      return false;
    }
    if (!violation && !read.search && kind === "enter" && d.flags.includes("incomplete")) {
      // An unfinished line (continuation backslash, open quote, open compound) that breaks no rule: the
      // shell runs nothing yet; the whole text is judged at the key that completes it (the typed text of
      // the next line is judged joined to this one: alone, `two'` after `echo 'one` is unfinished too).
      return this.continued(line);
    }
    if (
      d.decision === "allow" ||
      (d.decision === "require_approval" && (await this.host.approval(line, typist, d)))
    ) {
      if (shellLine || !this.integrated) {
        this.running.start(await this.host.started(line, typist, d));
        if (!this.integrated) this.running.finishWhenQuiet();
      }
      return true;
    }
    this.cancelLine();
    await this.host.blocked(line, typist, d, d.decision === "block" ? d.reason : `Not approved: ${d.reason}`);
    return false;
  }

  /** Where the line being typed began (its marker released when it is replaced). */
  private setLineStart(p: Pos | null): void {
    release(this.lineStart);
    this.lineStart = p;
  }

  private continued(line: string): "continued" {
    this.pending = line.slice(-MAX_PENDING);
    this.continuing = true;
    return "continued";
  }

  /** Clears the line being edited; the shell stays at the same prompt (no new prompt will come). */
  private cancelLine(): void {
    this.forward(this.continuing ? INTERRUPT : CANCEL);
  }

  /** Sends the accepting key of a decided line; at the prompt the shell owes a new prompt after it. */
  private sendKey(key: Uint8Array, shellLine: boolean): void {
    if (shellLine) this.launch = { done: false, doneAt: 0 };
    this.atPrompt = false;
    this.forward(key);
  }

  private forward(bytes: Uint8Array): void {
    if (this.host.forward(bytes) === false) {
      this.echo.held();
      this.heldLine = true;
    } else this.echo.forwarded();
  }

  /** The execution guard wrote the row of a line the shell is about to run that no Enter here recorded:
   * its output and exit status are kept like any other's (until the D mark that ends it). */
  adopt(id: string): void {
    if (!this.running.active) this.running.start(id, true);
  }

  /** Input the host held back has now gone to the shell: its echo is what the next read waits for. */
  sent(): void {
    this.echo.forwarded();
  }

  private waitForPrompt(timeoutMs: number): Promise<void> {
    if (this.atPrompt) return this.host.screen.settled();
    return new Promise<void>((res) => {
      const timer = setTimeout(res, timeoutMs);
      this.promptWaiters.push(() => {
        clearTimeout(timer);
        res();
      });
    }).then(() => this.host.screen.settled());
  }
}
