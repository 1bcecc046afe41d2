// The execution guard: the second line of defense behind the command tracker (docs/execution-guard.md).
// The tracker judges the line it reads from the screen at Enter; the shell integration then reports, in an
// authenticated OSC 133;E mark, the line the shell is *about to run* and waits on the terminal for a verdict.
// This module compares the two: a line the room approved runs at once (one round trip); anything else — a
// readline macro, `bind -x`, `fc`, a redraw trick that fooled the screen-read — is judged here, and refused
// in the shell before it runs. Lines that touch the integration itself are refused as tampering; tampering
// that slipped through (marks that stop coming) is detected afterwards, alerted, and ends the session.
// Typed input that follows an approved Enter is held until the verdict has gone out, so the shell's
// `read` of the verdict never consumes keystrokes; type-ahead it swallowed anyway (lines typed while a
// command ran) is given back behind the verdict (type-ahead.ts). Timers are injected so the logic is
// unit-tested.
import type { Decision } from "../policy/index.ts";
import type { Typist } from "./command-tracker.ts";
import type { ExecMode, ScanEvent } from "./osc-scanner.ts";
import { TypeAheadLog } from "./type-ahead.ts";
import { refusal } from "./verdict.ts";

/** Input typed after an approved Enter waits at most this long for the shell's report. */
export const INPUT_HOLD_MS = 5_000;
/** After a command ends, the integration's prompt mark must follow within this. */
export const PROMPT_AFTER_END_MS = 3_000;
/** At most one alert of each kind per session in this window (forged marks can come by the thousand). */
export const ALERT_EVERY_MS = 60_000;

export type Verdict = "y" | "s" | "n";

/** The verdict as the shell reads it: `#<nonce><y|s|n>` and a newline (`s` = allowed, report each command). */
export function verdictText(nonce: string, v: Verdict): string {
  return `#${nonce}${v}\n`;
}

/** The shell and the screen write the same line differently (continuations, blanks): compare this. */
export function normaliseLine(s: string): string {
  return s
    .replace(/\\\r?\n/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const TAMPER: [RegExp, string][] = [
  [/__nostromo/, "names the shell integration"],
  [/\btrap\b[^;&|\n]*\b(DEBUG|RETURN)\b/, "changes the DEBUG trap"],
  [/\btrap\s+-\s*($|[;&|\n])/, "resets the shell's traps"],
  [
    /\b(unset|declare|typeset|local|readonly|export)\b[^;&|\n]*\b(PROMPT_COMMAND|PS0)\b/,
    "changes the prompt hooks",
  ],
  [/(^|[;&|\s(])(PROMPT_COMMAND|PS0)(\[[^\]]*\])?\+?=/, "changes the prompt hooks"],
  [/\bshopt\b[^;&|\n]*-u[^;&|\n]*\bextdebug\b/, "turns extdebug off"],
  [/\bset\s+[+-]o\s+functrace\b|\bset\s+\+T\b/, "changes function tracing"],
  [/\benable\b[^;&|\n]*-n/, "disables shell builtins"],
  [/\bexec\s+(-\S+\s+)*(\S*\/)?(ba|z|da|k|c|tc|fi|)sh\b/, "replaces the shell"],
  [/\b(preexec_functions|precmd_functions|add-zsh-hook)\b/, "changes the prompt hooks"],
];

/** Why a line would switch the integration off, or null. Deliberately broad: these are refused. */
export function tamperReason(line: string): string | null {
  for (const [re, why] of TAMPER) if (re.test(line)) return why;
  return null;
}

/** Lines whose commands are not all in their text (`fc` re-runs history, `eval`/`source` run other
 * text): the shell reports each command as it comes instead. Matched as a word anywhere, on purpose —
 * a false match only costs a round trip per command of that line, a missed one would be a hole. */
export function needsEachCommand(line: string): boolean {
  return /(^|[^\w.-])(fc|eval|source|command|builtin)(?![\w.-])|(^|[;&|({`\s])\.\s/.test(line);
}

/** Rate limit for alerts: the first of a kind in each window goes out, carrying how many were held back. */
export class AlertLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly everyMs = ALERT_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  take(kind: string): { send: boolean; suppressed: number } {
    const t = this.now();
    const s = this.last.get(kind);
    if (s && t - s.at < this.everyMs) {
      s.suppressed += 1;
      return { send: false, suppressed: 0 };
    }
    this.last.set(kind, { at: t, suppressed: 0 });
    return { send: true, suppressed: s?.suppressed ?? 0 };
  }
}

export interface GuardHost {
  /** Bytes straight to the shell's input. */
  forward(bytes: Uint8Array): void;
  /** Typed input that was held (`input` answered false) has now been forwarded. */
  released(): void;
  evaluate(line: string, typist: Typist): Promise<Decision>;
  /** Records a refused command (was_blocked row, audit, notice, auto-disconnect). */
  blocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void>;
  /** A `security.alert` audit event and a notice to participants (already rate-limited). */
  alert(action: string, description: string, typist: Typist | null, metadata: Record<string, unknown>): void;
  /** The command row written for what the screen showed gets the line the shell really ran. */
  corrected(commandId: string, line: string): void;
  /** A line (or a command) the shell is about to run that no COMMAND row records yet: write one.
   * `follow`: its output and exit status can be kept (it runs inside an accepted line, up to its D). */
  unrecorded(line: string, typist: Typist, d: Decision, follow: boolean): void;
  /** Ends the session at once (tampering). */
  end(reason: string): Promise<void>;
  /** The agent's data socket is up (a missing mark during an outage is not tampering). */
  connected(): boolean;
  /** Scanner hook: the shell may echo the verdict if it arrives before `read -s` turned echo off. */
  expectEcho(text: string): void;
}

export interface GuardTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: GuardTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const encoder = new TextEncoder();

interface Approved {
  line: string;
  norm: string;
  typist: Typist;
  commandId: string;
}

export class ExecutionGuard {
  /** Whoever typed last: the one a command nobody pressed Enter for is attributed to. */
  typist: Typist;
  /** The line the tracker approved for the Enter it is sending, until the shell accepts a line (C). */
  private pending: Approved | null = null;
  /** The approved line the shell is running now (between C and D). */
  private current: Approved | null = null;
  private armed = false;
  private held: Uint8Array[] | null = null;
  private holdTimer: unknown = null;
  private promptTimer: unknown = null;
  /** Between a C mark and the D that ends the line. */
  private lineOpen = false;
  /** The open line has a COMMAND row written here (the tracker recorded none). */
  private recordedHere = false;
  /** The verdict on the open line as a whole: a subshell that runs before the shell reaches the line
   * (`$(…)` in a `for` list) reports it first, then the shell reports it again and gets the same answer. */
  private lineVerdict: { norm: string; v: Verdict } | null = null;
  private ended = false;
  /** This shell reports what it runs (bash ≥ 4.4 with PS0, zsh): its prompt's B mark said so (`g`), or a
   * C mark was seen. Before that, nothing is held — a shell without the guard would make every Enter wait
   * for a report that never comes. */
  private reporting = false;
  private readonly alerts: AlertLimiter;
  /** What went to the terminal since the shell last took a line the room approved. */
  private readonly typed = new TypeAheadLog();
  /** The open line's first report came (the verdict read that swallows type-ahead is the first). */
  private reportedOnce = false;
  /** Type-ahead the open line's verdict read swallows: sent again behind its verdict. */
  private swallowed: Uint8Array | null = null;

  constructor(
    private readonly host: GuardHost,
    owner: Typist,
    private readonly timers: GuardTimers = realTimers,
    now: () => number = Date.now,
  ) {
    this.typist = owner;
    this.alerts = new AlertLimiter(ALERT_EVERY_MS, now);
  }

  /** The tracker allowed `line` at the prompt and is about to send its Enter. */
  approvedLine(line: string, typist: Typist, commandId: string): void {
    this.typist = typist;
    this.pending = { line, norm: normaliseLine(line), typist, commandId };
    this.armed = this.reporting;
  }

  /** Everything the tracker sends to the shell passes here: held while a verdict is owed. */
  input(bytes: Uint8Array): boolean {
    if (this.held) {
      this.held.push(bytes);
      return false;
    }
    this.host.forward(bytes);
    // The tracker sends the approved line's accepting key right after approving it: CR, LF, CRLF, but also
    // Ctrl-O or Meta-# — whatever it is, what follows it waits.
    if (this.armed) {
      this.armed = false;
      this.typed.clear();
      this.hold();
    } else this.typed.note(bytes);
    return true;
  }

  private hold(): void {
    this.held = [];
    this.holdTimer = this.timers.set(() => this.release(), INPUT_HOLD_MS);
  }

  private release(): void {
    if (this.holdTimer !== null) this.timers.clear(this.holdTimer);
    this.holdTimer = null;
    const held = this.held;
    this.held = null;
    for (const b of held ?? []) {
      this.host.forward(b);
      this.typed.note(b);
    }
    if (held?.length) this.host.released();
  }

  /** Every authenticated mark (and every forged one) from the scanner, in order. */
  onEvent(ev: ScanEvent): Promise<void> | undefined {
    switch (ev.kind) {
      case "forged-mark":
        this.raise(
          "forged_mark",
          `Output imitated a shell-integration mark (${ev.mark || "?"}); it was ignored`,
          {
            mark: ev.mark,
          },
        );
        return;
      case "command-start":
        // A new line while the last one never ended: the prompt hooks that mark its end are gone.
        if (this.lineOpen)
          void this.tampered("A command line began before the last one ended: the prompt hooks were removed");
        this.reporting = true;
        this.lineOpen = true;
        this.recordedHere = false;
        this.lineVerdict = null;
        this.current = this.pending;
        this.pending = null;
        this.reportedOnce = false;
        this.swallowed = null;
        // A line the room did not approve (type-ahead readline took at the prompt): its report and verdict
        // are owed too, and what is typed meanwhile would be read with the verdict.
        if (!this.current && !this.held) this.hold();
        return;
      case "exec":
        return this.judge(ev.mode, ev.nonce, ev.line);
      case "command-end":
        // No rule on "C and D with no E": a line that only defines a function runs no simple command,
        // so bash never calls the trap. A removed trap is re-armed by the prompt hook (D) instead.
        this.lineOpen = false;
        this.current = null;
        this.swallowed = null;
        // No verdict is read until the next line: what waits goes to the terminal, for readline.
        if (this.held) this.release();
        this.armPromptTimer();
        return;
      case "prompt-start":
        this.clearPromptTimer();
        return;
      case "prompt-end":
        // The prompt says whether this shell reports its lines: known before its first line, whose
        // type-ahead must be held too (the trap's `read` of the verdict would take it otherwise).
        if (ev.guard) this.reporting = true;
        // A prompt and no report: the line ran nothing (a comment, a syntax error). Let input go.
        this.pending = null;
        if (this.held) this.release();
        return;
      default:
        return;
    }
  }

  private armPromptTimer(): void {
    this.clearPromptTimer();
    this.promptTimer = this.timers.set(() => {
      this.promptTimer = null;
      if (!this.host.connected()) this.armPromptTimer();
      else void this.tampered("A command ended but no prompt mark followed: the prompt hooks were changed");
    }, PROMPT_AFTER_END_MS);
  }

  private clearPromptTimer(): void {
    if (this.promptTimer !== null) this.timers.clear(this.promptTimer);
    this.promptTimer = null;
  }

  /** A subshell's report is followed by the shell's own, which reads a verdict from the terminal too:
   * input typed behind the line keeps waiting until that one is out. */
  private send(nonce: string, v: Verdict, mode: ExecMode, norm: string): void {
    const text = verdictText(nonce, v);
    this.host.expectEcho(text);
    this.host.forward(encoder.encode(text));
    if (mode !== "simple" && this.lineOpen) this.lineVerdict = { norm, v };
    if (mode === "subshell") return;
    // What the verdict read swallowed goes back to readline — unless the line was refused: then the input
    // typed behind it is dropped, as the tracker drops what follows a blocked line.
    const again = this.swallowed;
    this.swallowed = null;
    if (again && v !== "n") {
      this.host.forward(again);
      this.typed.note(again);
    }
    this.release();
  }

  private async judge(mode: ExecMode, nonce: string, line: string): Promise<void> {
    if (this.lineOpen && !this.reportedOnce) {
      this.reportedOnce = true;
      if (!this.current) this.swallowed = this.typed.swallowedAfter(line);
    }
    const norm = normaliseLine(line);
    const whole = mode !== "simple";
    if (whole && this.lineOpen && this.lineVerdict?.norm === norm) {
      this.send(nonce, this.lineVerdict.v, mode, norm);
      return;
    }
    const tamper = tamperReason(line);
    const current = this.lineOpen ? this.current : null;
    const typist = current?.typist ?? this.typist;
    if (!tamper && whole && current?.norm === norm) {
      this.send(nonce, needsEachCommand(line) ? "s" : "y", mode, norm);
      return;
    }
    let d: Decision | null = null;
    try {
      d = await this.host.evaluate(line, typist);
    } catch {
      d = null;
    }
    // One command of a line an approver let through, reported on its own (history did not keep the line).
    const approvedPart =
      mode === "simple" && d?.decision === "require_approval" && Boolean(current?.norm.includes(norm));
    if (!tamper && d && (d.decision === "allow" || approvedPart)) {
      // Type-ahead the tracker took for a program's input, a macro's line, a `bind -x` command: the shell
      // runs it, so it is recorded like any other (its output and status too when inside a line).
      if (!current && !this.recordedHere) {
        this.recordedHere = this.lineOpen;
        this.host.unrecorded(line, typist, d, this.lineOpen);
      }
      this.send(nonce, whole && needsEachCommand(line) ? "s" : "y", mode, norm);
      if (whole && current) this.host.corrected(current.commandId, line);
      return;
    }
    this.send(nonce, "n", mode, norm);
    const why = tamper
      ? `Refused: the line ${tamper}, which would switch off command checks`
      : d
        ? `Refused as the shell was about to run it: ${d.decision === "block" ? d.reason : `needs approval (${d.reason}); type it at the prompt to ask`}`
        : "Refused as the shell was about to run it: the policies cannot be read";
    this.raise(tamper ? "integration_tamper" : "refused_at_execution", `${why}: ${line.slice(0, 200)}`, {
      mode,
      judgedAtEnter: Boolean(current),
    });
    await this.host.blocked(line, typist, d && !tamper ? d : refusal(why), why);
  }

  private raise(action: string, description: string, metadata: Record<string, unknown>): void {
    const a = this.alerts.take(action);
    if (!a.send) return;
    this.host.alert(action, description, this.typist, { ...metadata, suppressedBefore: a.suppressed });
  }

  private async tampered(why: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.clearPromptTimer();
    this.raise("integration_tamper", why, {});
    await this.host.end(`${why}; the session was ended`);
  }

  /** The agent reopened the shell (a new integration): nothing of the old shell's state carries over. */
  reset(): void {
    this.clearPromptTimer();
    if (this.holdTimer !== null) this.timers.clear(this.holdTimer);
    this.holdTimer = null;
    this.held = null;
    this.armed = false;
    this.typed.clear();
    this.swallowed = null;
    this.pending = null;
    this.current = null;
    this.lineVerdict = null;
    this.lineOpen = false;
    this.reporting = false;
  }

  /** Stops timers (the session is over). */
  dispose(): void {
    this.clearPromptTimer();
    this.release();
  }
}
