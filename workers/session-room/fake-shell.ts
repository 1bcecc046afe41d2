// A scripted stand-in for bash + readline behind the command tracker, for fast unit tests: it echoes what
// it is sent into a real headless terminal (the room's Screen), emits the OSC 133 marks the agent's
// integration emits, accepts lines on CR/LF/Ctrl-O, honours bracketed paste when it asked for it, and can
// run a "program" (a line reader with or without echo). Not a shell: it records the lines it would run.
import { compilePolicies, evaluateCommand } from "../policy/index.ts";
import type { Decision, PolicyInput } from "../policy/types.ts";
import { CommandTracker, type TrackerHost, type Typist } from "./command-tracker.ts";
import { OscScanner } from "./osc-scanner.ts";
import { Screen } from "./screen.ts";

// The marks carry the session's key, as the agent's integration writes them (unkeyed marks are ignored).
const KEY = "fake-shell-mark-key-0123456789abcdef";
const mark = (m: string) => `\x1b]133;${m};k=${KEY}\x07`;
const PROMPT = `${mark("A")}$ ${mark("B")}\x1b[?2004h`;

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
  /** > 0: like the execution guard, input forwarded behind an Enter is held this long (forward answers
   * false, `tracker.sent()` follows when it goes out). */
  holdAfterEnterMs = 0;
  private holding: Uint8Array[] | null = null;
  private buf = "";
  private pasting = false;
  private lastOutput = 0;

  constructor(rules: string[] = ["^rm\\s+-rf\\s+/$", "forbidden"]) {
    const compiled = policies(rules);
    const host: TrackerHost = {
      screen: this.screen,
      forward: (b) => {
        if (this.holding) {
          this.holding.push(b);
          return false;
        }
        this.send(b);
        if (this.holdAfterEnterMs > 0 && (b.includes(0x0d) || b.includes(0x0a))) {
          this.holding = [];
          setTimeout(() => {
            const held = this.holding ?? [];
            this.holding = null;
            for (const h of held) this.send(h);
            if (held.length) this.tracker.sent();
          }, this.holdAfterEnterMs);
        }
        return true;
      },
      evaluate: async (line) => evaluateCommand(compiled, line, {}),
      started: async (line) => {
        this.rows.push(line);
        return crypto.randomUUID();
      },
      finished: async () => {},
      blocked: async (line, _t, d, reason) => {
        this.blocked.push({ line, reason, d });
      },
      approval: async () => false,
      dropped: (_t, n) => {
        this.dropped.push(n);
      },
      lastOutputAt: () => this.lastOutput,
    };
    this.tracker = new CommandTracker(host);
    this.out(PROMPT);
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
    for (let i = 0; i < s.length; i++) {
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
    const line = this.buf;
    this.buf = "";
    if (this.mode === "program") {
      this.ran.push(`> ${line}`);
      if (line === "exit") {
        this.mode = "shell";
        this.echo = true;
        this.out(`\r\n${mark("D;0")}${PROMPT}`);
      } else this.out("\r\n> ");
      return;
    }
    if (!line.trim()) {
      this.out(`\r\n${PROMPT}`);
      return;
    }
    this.ran.push(`$ ${line}`);
    this.out(`\x1b[?2004l\r\n${mark("C")}`);
    if (line === "prog" || line === "secret") this.startProgram(line === "prog");
    else this.out(`ran\r\n${mark("D;0")}${PROMPT}`);
  }

  /** Resolves once the tracker has processed everything typed and the shell has answered. */
  async idle(): Promise<void> {
    await this.tracker.input(new Uint8Array(0), TYPIST);
    await new Promise((r) => setTimeout(r, 20));
    await this.screen.settled();
  }
}
