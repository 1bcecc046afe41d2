// A real pseudo-terminal for CLI tests: one tmux server of the test's own (its own socket), one window
// running a command; keys go in with send-keys, the screen comes out with capture-pane, and the window
// can be resized like a user dragging it.
import { execFileSync } from "node:child_process";

export class Tmux {
  private readonly socket: string;

  constructor(
    readonly name: string,
    command: string,
    { cols = 100, rows = 30, env = {} }: { cols?: number; rows?: number; env?: Record<string, string> } = {},
  ) {
    this.socket = `nostromo-test-${process.pid}-${name}`;
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    this.tmux(["new-session", "-d", "-s", name, "-x", String(cols), "-y", String(rows), ...envArgs, command]);
    this.tmux(["set-option", "-t", name, "remain-on-exit", "on"]);
  }

  private tmux(args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.tmux(["send-keys", "-t", this.name, "-l", text]);
  }

  /** Presses named keys (Enter, C-c…). */
  press(...keys: string[]): void {
    this.tmux(["send-keys", "-t", this.name, ...keys]);
  }

  /** The screen and its scrollback, wrapped lines joined. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-S", "-500", "-t", this.name]);
  }

  /** The visible screen only (no scrollback), wrapped lines joined. */
  visible(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-t", this.name]);
  }

  /** The pane's title (what the program set with OSC 2). */
  title(): string {
    return this.tmux(["display-message", "-p", "-t", this.name, "#{pane_title}"]).trim();
  }

  async waitForTitle(re: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let t = "";
    while (Date.now() < deadline) {
      t = this.title();
      if (re.test(t)) return t;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for the title ${re}; it is ${JSON.stringify(t)}`);
  }

  resize(cols: number, rows: number): void {
    this.tmux(["resize-window", "-t", this.name, "-x", String(cols), "-y", String(rows)]);
  }

  /** True once the command in the window has exited (remain-on-exit keeps its screen readable). */
  dead(): boolean {
    return this.tmux(["display-message", "-p", "-t", this.name, "#{pane_dead}"]).trim() === "1";
  }

  async waitFor(re: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let s = "";
    while (Date.now() < deadline) {
      s = this.screen();
      if (re.test(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${re} in the pane:\n${s}`);
  }

  kill(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}
