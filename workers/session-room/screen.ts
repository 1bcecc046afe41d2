// The session's screen model: a headless xterm fed with everything the target prints, so a late joiner
// gets the current screen at once (serialize addon), and the command tracker can read the cursor line.
import { SerializeAddon } from "@xterm/addon-serialize";
import { Terminal } from "@xterm/headless";

export class Screen {
  readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private pending: Promise<void> = Promise.resolve();

  constructor(cols: number, rows: number, scrollback = 1000) {
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    // The addon's types target the browser xterm; the headless terminal has the same surface.
    this.term.loadAddon(this.serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
  }

  write(data: Uint8Array | string): void {
    this.pending = this.pending.then(() => new Promise<void>((res) => this.term.write(data, res)));
  }

  resize(cols: number, rows: number): void {
    this.pending = this.pending.then(() => this.term.resize(cols, rows));
  }

  /** Runs `fn` once everything written so far has been parsed (and before anything written later). */
  at(fn: () => void): void {
    this.pending = this.pending.then(fn);
  }

  /** Resolves when everything written so far has been parsed. */
  settled(): Promise<void> {
    return this.pending;
  }

  /** The current screen (and scrollback) as a byte stream that reproduces it on a fresh terminal. */
  async snapshot(): Promise<string> {
    await this.settled();
    return this.serializer.serialize({ scrollback: 200 });
  }

  /** The screen exactly as of everything written so far (nothing written later), serialised. */
  snapshotAt(): Promise<string> {
    return new Promise((res) => this.at(() => res(this.serializer.serialize({ scrollback: 200 }))));
  }

  get cols(): number {
    return this.term.cols;
  }
  get rows(): number {
    return this.term.rows;
  }

  dispose(): void {
    this.term.dispose();
  }
}
