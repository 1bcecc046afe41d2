// A scripted stand-in for bash + readline behind the command tracker, for fast unit tests: it echoes what
// it is sent into a real headless terminal (the room's Screen), emits the OSC 133 marks the agent's
// integration emits, accepts lines on CR/LF/Ctrl-O, honours bracketed paste when it asked for it, and can
// run a "program" (a line reader with or without echo). With `guard`, it runs the room's real execution
// guard and behaves like the integration's DEBUG trap: after C it reports the line (E) and reads the verdict
// with `read -rs` — which, like the real one, takes everything in the terminal up to the newline, so input
// that reaches it before the verdict is lost to readline. Not a shell: it records the lines it would run.
// Editing it does itself (printable keys, Backspace, Ctrl-U, Ctrl-W, continuation lines after an open quote
// or a trailing backslash, a full-screen program on the alternate screen); what readline draws for other
// keys (Tab, arrows, Ctrl-R…) a test scripts with `readline.set(key, { draw, line })`, as bash draws it.
import { compilePolicies, evaluateCommand } from "../policy/index.ts";
import type { Decision, PolicyInput } from "../policy/types.ts";
import { CommandTracker, type TrackerHost, type Typist } from "./command-tracker.ts";
import { ExecutionGuard } from "./execution-guard.ts";
import { OscScanner } from "./osc-scanner.ts";
import { Screen } from "./screen.ts";

// The marks carry the session's key, as the agent's integration writes them (unkeyed marks are ignored).
const KEY = "fake-shell-mark-key-0123456789abcdef";
export const mark = (m: string) => `\x1b]133;${m};k=${KEY}\x07`;
const promptOf = (guard: boolean) => `${mark("A")}$ ${mark(guard ? "B;g" : "B")}\x1b[?2004h`;

export const TYPIST: Typist = { userId: "u1", roleId: null, name: "Tess" };

export function policies(patterns: string[]): ReturnType<typeof compilePolicies> {
  return compilePolicies([
    {
      id: "p1",
      name: "Test",
      isActive: true,
      appliesToRoles: [],
      appliesToConnections: [],
      allowedCommands: null,
      requireApproval: false,
      autoDisconnectOnViolation: false,
      notifyOnViolation: false,
      blockedCommands: patterns.map((pattern, order) => ({
        id: `r${order}`,
        name: `rule ${order}`,
        patternType: "regex",
        pattern,
        severity: "high",
        appliesToTypes: [],
        examples: [],
        order,
      })),
    } as unknown as PolicyInput,
  ]);
}

export class FakeShell {
  readonly screen = new Screen(80, 24);
  readonly scanner = new OscScanner(KEY);
  readonly tracker: CommandTracker;
  /** Lines the shell ran (`$`) and lines a program read (`>`). */
  readonly ran: string[] = [];
  readonly blocked: { line: string; reason: string; d: Decision }[] = [];
  readonly dropped: number[] = [];
  /** COMMAND rows written (lines judged as the shell's). */
  readonly rows: string[] = [];
  readonly forwardedAt: { bytes: Uint8Array; at: number }[] = [];
  echoDelayMs = 1;
  /** "shell": readline at the prompt; "program": a line reader (echo on or off). */
  mode: "shell" | "program" = "shell";
  echo = true;
  /** Echo `*` for each character (sudo's pwfeedback). */
  mask = false;
  /** false: readline after `bind -r '\e[200~'` — the paste markers are ignored keys. */
  honourPaste = true;
  readonly guard: ExecutionGuard | null;
  /** Readline's answer to a key this stand-in does not edit itself: what it draws, the line it then holds. */
  readonly readline = new Map<string, { draw: string; line: string }>();
  /** Lines the shell holds of an unfinished command (PS2 `> ` shown). */
  private held = "";
  /** A full-screen program (`vim`) owns the terminal. */
  private fullScreen = false;
  /** The trap waits for the verdict on `nonce`; `read` holds what it has read of its line so far. */
  private trap: { nonce: string; line: string; read: string } | null = null;
  private nonces = 0;
  /** With the guard: how long an allowed line runs. Meanwhile input is taken silently (the trap's
   * `read -s` had echo off when it arrived) and readline shows it at the next prompt. */
  commandMs = 0;
  /** How long the shell takes from a command's end (D) to its next prompt (B). Input that arrives
   * meanwhile is taken silently and readline shows it at the prompt. */
  promptDelayMs = 0;
  private busy: string | null = null;
  private readonly prompt: string;
  private buf = "";
  private pasting = false;
  private lastOutput = 0;

  constructor(rules: string[] = ["^rm\\s+-rf\\s+/$", "forbidden"], opts: { guard?: boolean } = {}) {
    const compiled = policies(rules);
    const evaluate = async (line: string) => evaluateCommand(compiled, line, {});
    const blocked = async (line: string, _t: Typist, d: Decision, reason: string) => {
      this.blocked.push({ line, reason, d });
    };
    this.guard = opts.guard
      ? new ExecutionGuard(
          {
            forward: (b) => this.send(b),
            released: () => this.tracker.sent(),
            evaluate,
            blocked,
            alert: () => {},
            corrected: () => {},
            unrecorded: (line, _t, _d, follow) => {
              this.rows.push(line);
              if (follow) this.tracker.adopt(crypto.randomUUID());
            },
            end: async () => {},
            connected: () => true,
            expectEcho: (text) => this.scanner.expectEcho(text),
          },
          TYPIST,
        )
      : null;
    this.prompt = promptOf(Boolean(opts.guard));
    const host: TrackerHost = {
      screen: this.screen,
      forward: (b) => {
        if (this.guard) return this.guard.input(b);
        this.send(b);
        return true;
      },
      evaluate,
      started: async (line, typist) => {
        this.rows.push(line);
        const id = crypto.randomUUID();
        this.guard?.approvedLine(line, typist, id);
        return id;
      },
      finished: async () => {},
      blocked,
      approval: async () => false,
      dropped: (_t, n) => {
        this.dropped.push(n);
      },
      lastOutputAt: () => this.lastOutput,
    };
    this.tracker = new CommandTracker(host);
    this.out(this.prompt);
  }

  private send(b: Uint8Array): void {
    this.forwardedAt.push({ bytes: b, at: performance.now() });
    setTimeout(() => this.receive(b), this.echoDelayMs);
  }

  out(s: string): void {
    this.lastOutput = Date.now();
    for (const p of this.scanner.scan(new TextEncoder().encode(s))) {
      if (p.bytes.length) this.screen.write(p.bytes);
      this.tracker.onOutput(p.bytes, p.event);
      if (p.event) void this.guard?.onEvent(p.event);
    }
  }

  type(s: string): Promise<void> {
    return this.tracker.input(new TextEncoder().encode(s), TYPIST);
  }

  /** Runs a program that reads lines until it reads "exit". */
  startProgram(echo = true): void {
    this.mode = "program";
    this.echo = echo;
    this.out(`\x1b[?2004l\r\n${mark("C")}> `);
  }

  private receive(bytes: Uint8Array): void {
    const s = new TextDecoder().decode(bytes);
    if (this.busy !== null) {
      this.busy += s;
      return;
    }
    for (let i = 0; i < s.length; i++) {
      if (this.trap) {
        // The trap's `read -rs` in a loop: no echo, each line (CR is a newline to the tty) is taken whole
        // and anything but the verdict is discarded.
        if (s[i] === "\n" || s[i] === "\r") this.verdict(this.trap);
        else this.trap.read += s[i];
        continue;
      }
      if (s.startsWith("\x1b[200~", i) && this.mode === "shell" && this.honourPaste) {
        this.pasting = true;
        i += 5;
        continue;
      }
      if (s.startsWith("\x1b[201~", i) && (this.pasting || !this.honourPaste)) {
        this.pasting = false;
        i += 5;
        continue;
      }
      const scripted = [...this.readline].find(([key]) => s.startsWith(key, i));
      if (scripted) {
        this.buf = scripted[1].line;
        this.out(scripted[1].draw);
        i += scripted[0].length - 1;
        continue;
      }
      const c = s[i] as string;
      if (c === "\x1b") {
        // A Meta key (ESC + one character): readline's business, nothing to echo here.
        if (s[i + 1] === "#") this.acceptLine();
        i += 1;
        if (s[i] === "[") while (i + 1 < s.length && !/[@-~]/.test(s[++i] as string));
        continue;
      }
      if ((c === "\r" || c === "\n") && this.pasting) {
        this.buf += "\n";
        this.out("\r\n");
      } else if (c === "\r" || c === "\n" || c === "\x0f") this.acceptLine();
      else if (c === "\x15") {
        this.buf = "";
        this.out(this.mode === "shell" ? "\r\x1b[K$ " : "\r\x1b[K> ");
      } else if (c === "\x17") {
        // unix-word-rubout: the word before the cursor and the blanks after it.
        const n = /\S*\s*$/.exec(this.buf)?.[0].length ?? 0;
        this.buf = this.buf.slice(0, this.buf.length - n);
        if (this.echo && n) this.out(`${"\b".repeat(n)}\x1b[K`);
      } else if (c === "\x7f") {
        this.buf = this.buf.slice(0, -1);
        if (this.echo) this.out("\b \b");
      } else if (c >= " " && c !== "\x7f") {
        this.buf += c;
        if (this.echo) this.out(this.mask ? "*" : c);
      }
    }
  }

  private acceptLine(): void {
    const typed = this.buf;
    this.buf = "";
    if (this.fullScreen) {
      this.ran.push(`vim ${typed}`);
      if (typed === ":q") {
        this.fullScreen = false;
        this.mode = "shell";
        this.echo = true;
        this.out(`\x1b[?1049l\r\n${mark("D;0")}${this.prompt}`);
      }
      return;
    }
    if (this.mode === "shell" && unfinished(this.held + typed)) {
      this.held += `${typed}\n`;
      this.out("\r\n> ");
      return;
    }
    const line = this.held + typed;
    this.held = "";
    if (this.mode === "program") {
      this.ran.push(`> ${line}`);
      if (line === "exit") {
        this.mode = "shell";
        this.echo = true;
        this.out(`\r\n${mark("D;0")}${this.prompt}`);
      } else this.out("\r\n> ");
      return;
    }
    if (!line.trim()) {
      this.out(`\r\n${this.prompt}`);
      return;
    }
    this.out(`\x1b[?2004l\r\n${mark("C")}`);
    if (this.guard) {
      const nonce = `${++this.nonces}`.padStart(10, "0");
      this.trap = { nonce, line, read: "" };
      // The trap reports a moment after C (bash forks `history 1` first).
      setTimeout(() => this.out(mark(`E;l;${nonce};${encodeURIComponent(line)}`)), this.echoDelayMs);
      return;
    }
    this.run(line);
  }

  private verdict(trap: { nonce: string; line: string; read: string }): void {
    const v = trap.read;
    trap.read = "";
    if (!v.includes(`#${trap.nonce}`)) return;
    this.trap = null;
    if (!v.endsWith(`#${trap.nonce}y`) && !v.endsWith(`#${trap.nonce}s`))
      this.out(`nostromo: refused by policy; not run\r\n${mark("D;1")}${this.prompt}`);
    else if (this.commandMs > 0) {
      this.busy = "";
      setTimeout(() => {
        const typed = this.busy ?? "";
        this.busy = null;
        this.run(trap.line);
        if (typed) this.receive(new TextEncoder().encode(typed));
      }, this.commandMs);
    } else this.run(trap.line);
  }

  private run(line: string): void {
    this.ran.push(`$ ${line}`);
    if (line === "prog" || line === "secret") this.startProgram(line === "prog");
    else if (line === "vim") {
      this.mode = "program";
      this.fullScreen = true;
      this.echo = false;
      this.out(`\x1b[?2004l\r\n${mark("C")}\x1b[?1049h\x1b[H\x1b[2J~\r\n~`);
    } else if (this.promptDelayMs > 0) {
      this.out(`ran\r\n${mark("D;0")}`);
      this.busy = "";
      setTimeout(() => {
        const typed = this.busy ?? "";
        this.busy = null;
        this.out(this.prompt);
        if (typed) this.receive(new TextEncoder().encode(typed));
      }, this.promptDelayMs);
    } else this.out(`ran\r\n${mark("D;0")}${this.prompt}`);
  }

  /** Resolves once the tracker has processed everything typed and the shell has answered. */
  async idle(): Promise<void> {
    await this.tracker.input(new Uint8Array(0), TYPIST);
    await new Promise((r) => setTimeout(r, 20));
    await this.screen.settled();
  }
}

/** Bash waits for more (PS2) after a trailing backslash or inside an open single or double quote. */
function unfinished(s: string): boolean {
  if (/\\$/.test(s)) return true;
  let quote: string | null = null;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
  }
  return quote !== null;
}
