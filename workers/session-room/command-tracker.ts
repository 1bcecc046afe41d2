// The command tracker: turns what typists send into the commands the shell will run, and enforces policy
// before the Enter reaches the shell. At Enter the command is read from the screen model — the input area
// that starts where the shell's prompt ended (OSC 133;B from the agent's shell integration) — so tab
// completion, history recall and line editing are seen as the shell sees them. The Enter is withheld until
// the engine decides: allow → forwarded; block → the line is cleared on the target (Ctrl-E Ctrl-U); approval →
// held until an approver decides or the timeout blocks it. Commands end at OSC 133;D with their exit status.
// Programs that own the terminal (alternate screen: vim, less, top) and input to a running program (a
// password prompt, `cat`) produce no command rows; every Enter there is still checked against the line on
// the screen, so type-ahead and nested shells cannot slip a blocked command past.
import type { Decision } from "../policy/index.ts";
import { plainText, type ScanEvent } from "./osc-scanner.ts";
import type { Screen } from "./screen.ts";

export const OUTPUT_CAP = 64 * 1024;
export const ECHO_QUIET_MS = 40;
export const ECHO_MAX_WAIT_MS = 1_500;
export const NEXT_PROMPT_WAIT_MS = 3_000;
const CR = 0x0d;
// Cancels the line on the target: end of line, then kill the line (readline, zle, and the tty's own KILL
// character for a program reading lines). Not Ctrl-C: an interrupt makes the kernel flush input the shell
// has not read yet, and bash may redisplay the line after it. Lines of a multi-line input already accepted
// stay pending, and the tracker reads them again with the next line (it reads from the prompt's end).
const CANCEL = new Uint8Array([0x05, 0x15]);
const ENTER = new Uint8Array([CR]);
const UNAVAILABLE: Decision = {
  decision: "block",
  rule: null,
  policy: null,
  reason: "The organization's command policies cannot be read right now; nothing runs until they can",
  severity: "high",
  commandType: "shell",
  riskLevel: "high",
  autoDisconnect: false,
  notify: false,
  commands: [],
  matchedCommand: null,
  flags: [],
};
const PASTE_START = [0x1b, 0x5b, 0x32, 0x30, 0x30, 0x7e]; // ESC [ 200 ~
const PASTE_END = [0x1b, 0x5b, 0x32, 0x30, 0x31, 0x7e]; // ESC [ 201 ~

export interface Typist {
  userId: string;
  roleId: string | null;
  name: string;
}

export interface RunningCommand {
  id: string;
  startedAt: number;
  output: string;
  truncated: boolean;
}

export interface TrackerHost {
  screen: Screen;
  forward(bytes: Uint8Array): void;
  evaluate(line: string, typist: Typist): Promise<Decision>;
  /** Writes the COMMAND row of an allowed command; returns its id. */
  started(line: string, typist: Typist, d: Decision): Promise<string>;
  finished(
    id: string,
    r: { exitCode: number | null; output: string; truncated: boolean; durationMs: number },
  ): Promise<void>;
  blocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void>;
  /** Holds the command until an approver decides; resolves true to run it. */
  approval(line: string, typist: Typist, d: Decision): Promise<boolean>;
  lastOutputAt(): number;
}

function indexOfSeq(buf: Uint8Array, seq: number[], from: number): number {
  outer: for (let i = from; i <= buf.length - seq.length; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CommandTracker {
  /** Shell integration seen: prompt boundaries and exit codes are known. */
  integrated = false;
  atPrompt = false;
  altScreen = false;
  private inputStart: { row: number; col: number } | null = null;
  private lineStart: { row: number; col: number } | null = null;
  private pasting = false;
  /** An Enter or a cancel was sent: the shell's next prompt has not been seen yet. */
  private awaitingPrompt = false;
  /** Printable text typed since the line began (what the screen should show, unless echo is off). */
  private typed = "";
  private lastForwardAt = 0;
  /** Printable text typed since the last editing key: the screen line must end with it before reading. */
  private typedTail = "";
  private inEscape = false;
  private running: RunningCommand | null = null;
  private chain: Promise<void> = Promise.resolve();
  private promptWaiters: (() => void)[] = [];

  constructor(private readonly host: TrackerHost) {}

  // ── output side ────────────────────────────────────────────────────────────────────────────────

  /** Called for every output piece after the screen model received it, with the event that ended it. */
  onOutput(bytes: Uint8Array, event: ScanEvent | null): void {
    // A full-screen program's drawing is not output worth keeping (and would echo what is typed into it).
    if (this.running && bytes.length && !this.running.truncated && !this.altScreen) {
      this.running.output += new TextDecoder().decode(bytes);
      if (this.running.output.length > OUTPUT_CAP * 2) this.running.truncated = true;
    }
    if (!event) return;
    switch (event.kind) {
      case "prompt-start":
        this.integrated = true;
        this.atPrompt = false;
        break;
      case "prompt-end":
        this.integrated = true;
        this.atPrompt = true;
        this.awaitingPrompt = false;
        this.lineStart = null;
        this.host.screen.at(() => {
          this.inputStart = this.cursor();
        });
        for (const w of this.promptWaiters.splice(0)) w();
        break;
      case "command-start":
        this.atPrompt = false;
        if (this.running) this.running.startedAt = Date.now();
        break;
      case "command-end":
        this.atPrompt = false;
        this.finishRunning(event.exitCode);
        break;
      case "alt-screen":
        this.altScreen = event.on;
        break;
      case "bracketed-paste":
        break;
    }
  }

  private finishRunning(exitCode: number | null): void {
    const r = this.running;
    if (!r) return;
    this.running = null;
    let output = plainText(r.output);
    // The first line is the echo of the command itself.
    output = output.replace(/^[^\n]*\n/, "");
    let truncated = r.truncated;
    if (output.length > OUTPUT_CAP) {
      output = output.slice(0, OUTPUT_CAP);
      truncated = true;
    }
    void this.host.finished(r.id, { exitCode, output, truncated, durationMs: Date.now() - r.startedAt });
  }

  // ── input side ─────────────────────────────────────────────────────────────────────────────────

  /** Input of a participant who may type; processed strictly in order. */
  input(bytes: Uint8Array, typist: Typist): Promise<void> {
    this.chain = this.chain
      .then(() => this.process(bytes, typist))
      .catch((err) => {
        console.error(JSON.stringify({ level: "error", msg: "command tracker failed", error: String(err) }));
      });
    return this.chain;
  }

  private cursor(): { row: number; col: number } {
    const b = this.host.screen.term.buffer.active;
    return { row: b.baseY + b.cursorY, col: b.cursorX };
  }

  /** The next Enter that is not inside a bracketed paste; updates the paste state as it goes. */
  private findEnter(buf: Uint8Array): number {
    let i = 0;
    while (i < buf.length) {
      if (this.pasting) {
        const end = indexOfSeq(buf, PASTE_END, i);
        if (end < 0) return -1;
        this.pasting = false;
        i = end + PASTE_END.length;
        continue;
      }
      const start = indexOfSeq(buf, PASTE_START, i);
      const cr = buf.indexOf(CR, i);
      if (start >= 0 && (cr < 0 || start < cr)) {
        this.pasting = true;
        i = start + PASTE_START.length;
        continue;
      }
      return cr;
    }
    return -1;
  }

  private async process(bytes: Uint8Array, typist: Typist): Promise<void> {
    let buf = bytes;
    while (buf.length > 0) {
      if (this.altScreen) {
        this.forward(buf);
        return;
      }
      if (!this.lineStart) {
        await this.host.screen.settled();
        this.lineStart = this.cursor();
      }
      const idx = this.findEnter(buf);
      if (idx < 0) {
        this.noteTyped(buf);
        this.forward(buf);
        return;
      }
      if (idx > 0) {
        this.noteTyped(buf.subarray(0, idx));
        this.forward(buf.subarray(0, idx));
      }
      buf = buf.subarray(idx + 1);
      if (this.awaitingPrompt && this.integrated) {
        // The previous Enter (or cancel) has not given the prompt back yet: this line is type-ahead the
        // shell will read at its next prompt — decide on it as the shell will see it there.
        await this.waitForPrompt(NEXT_PROMPT_WAIT_MS);
      }
      const shellLine = this.integrated && this.atPrompt;
      let line = await this.readWhenEchoed(shellLine);
      let hidden = false;
      if (!line.trim() && this.typed.trim()) {
        // Nothing on the screen although text was typed: echo is off (a password prompt) or the screen
        // is out of step. Judge what was typed, and never store it.
        line = this.typed;
        hidden = true;
      }
      this.lineStart = null;
      this.typed = "";
      this.typedTail = "";
      await this.decide(line, typist, shellLine && !hidden, hidden);
    }
  }

  private noteTyped(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.inEscape) {
        // Skip an escape sequence (arrows, paste markers…): it edits the line in ways only the shell knows.
        if (b >= 0x40 && b <= 0x7e && b !== 0x5b) this.inEscape = false;
        continue;
      }
      if (b === 0x1b) {
        this.inEscape = true;
        this.typedTail = "";
      } else if (b >= 0x20 && b !== 0x7f) {
        this.typed += String.fromCharCode(b);
        this.typedTail += String.fromCharCode(b);
      } else if (b === 0x7f || b === 0x08) {
        this.typed = this.typed.slice(0, -1);
        this.typedTail = this.typedTail.slice(0, -1);
      } else {
        if (b === 0x15 || b === 0x03) this.typed = "";
        this.typedTail = "";
      }
    }
    if (this.typed.length > 16_384) this.typed = this.typed.slice(-16_384);
    if (this.typedTail.length > 4_096) this.typedTail = this.typedTail.slice(-4_096);
  }

  /** Reads the line once the screen shows the text typed since the last editing key (its echo may lag
   * behind what was forwarded): a line read too early must never be judged. */
  private async readWhenEchoed(shellLine: boolean): Promise<string> {
    const tail = this.typedTail.replace(/\s+$/, "");
    const start = Date.now();
    for (;;) {
      await this.settleEcho();
      const line = shellLine ? this.readInput() : this.readTyped();
      if (!tail || line.replace(/\s+$/, "").endsWith(tail) || Date.now() - start > ECHO_MAX_WAIT_MS)
        return line;
      await sleep(20);
    }
  }

  private async decide(line: string, typist: Typist, shellLine: boolean, hidden = false): Promise<boolean> {
    const trimmed = line.trim();
    if (!trimmed) {
      this.sendEnter(ENTER);
      return true;
    }
    let d: Decision;
    try {
      d = await this.host.evaluate(trimmed, typist);
    } catch {
      // No policy can be read: fail closed.
      this.cancelLine();
      await this.host.blocked(hidden ? "[hidden input]" : trimmed, typist, UNAVAILABLE, UNAVAILABLE.reason);
      return false;
    }
    if (shellLine && d.flags.includes("incomplete")) {
      // An unfinished line (continuation backslash, open quote, open compound): the shell runs nothing
      // yet and prompts for more; the whole input is checked at the Enter that completes it.
      this.forward(ENTER);
      return false;
    }
    if (
      d.decision === "allow" ||
      (d.decision === "require_approval" && (await this.host.approval(trimmed, typist, d)))
    ) {
      if (!hidden && (shellLine || !this.integrated)) {
        const id = await this.host.started(trimmed, typist, d);
        this.running = { id, startedAt: Date.now(), output: "", truncated: false };
        if (!this.integrated) this.finishRunningLater();
      }
      this.sendEnter(ENTER);
      return true;
    }
    this.cancelLine();
    const reason = d.decision === "block" ? d.reason : `Not approved: ${d.reason}`;
    await this.host.blocked(hidden ? "[hidden input]" : trimmed, typist, d, reason);
    return false;
  }

  /** Clears the line being edited; the shell stays at the same prompt (no new prompt will come). */
  private cancelLine(): void {
    this.typed = "";
    this.typedTail = "";
    this.forward(CANCEL);
  }

  /** Sends the Enter of a decided line; the shell owes a new prompt after it. */
  private sendEnter(bytes: Uint8Array): void {
    if (this.atPrompt) this.awaitingPrompt = true;
    this.atPrompt = false;
    this.forward(bytes);
  }

  /** Without shell integration there is no exit status: the command ends when output goes quiet. */
  private finishRunningLater(): void {
    const r = this.running;
    const check = () => {
      if (this.running !== r) return;
      if (Date.now() - this.host.lastOutputAt() > 500) this.finishRunning(null);
      else setTimeout(check, 250);
    };
    setTimeout(check, 500);
  }

  /** Waits until the shell has echoed what was last forwarded (output after it, then a quiet moment), so
   * the screen shows the line as the shell holds it — completion included — before it is read. */
  private async settleEcho(): Promise<void> {
    const start = Date.now();
    const expired = () => Date.now() - start >= ECHO_MAX_WAIT_MS;
    while (this.host.lastOutputAt() < this.lastForwardAt && !expired()) await sleep(5);
    while (Date.now() - this.host.lastOutputAt() < ECHO_QUIET_MS && !expired()) await sleep(5);
    await this.host.screen.settled();
  }

  private forward(bytes: Uint8Array): void {
    this.lastForwardAt = Date.now();
    this.host.forward(bytes);
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

  private lineText(row: number): { text: string; wrapped: boolean } {
    const l = this.host.screen.term.buffer.active.getLine(row);
    return { text: l?.translateToString(true) ?? "", wrapped: l?.isWrapped ?? false };
  }

  /** The shell's input area: from where the prompt ended to the cursor's line; continuation lines lose
   * their PS2 prompt ("> "), wrapped lines are joined. */
  readInput(): string {
    const start = this.inputStart ?? this.lineStart ?? this.cursor();
    const end = this.cursor().row;
    let out = "";
    for (let row = start.row; row <= end; row++) {
      const { text, wrapped } = this.lineText(row);
      if (row === start.row) out += text.slice(start.col);
      else if (wrapped) out += text;
      else out += `\n${text.replace(/^> /, "")}`;
    }
    return out;
  }

  /** What was typed on the current line of a running program (or a shell without integration). */
  readTyped(): string {
    const start = this.lineStart ?? this.cursor();
    const end = this.cursor().row;
    let out = "";
    for (let row = start.row; row <= end; row++) {
      const { text } = this.lineText(row);
      out += row === start.row ? text.slice(start.col) : text;
    }
    return out;
  }
}
