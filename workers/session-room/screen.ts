// The session's screen model: a headless xterm fed with everything the target prints, so a late joiner
// gets the current screen at once (serialize addon), and the command tracker can read the cursor line.
// Long runs of plain lines skip the lines that would scroll out of the buffer anyway (plain-lines.ts):
// the same resulting state, a fraction of the parsing under bulk output. A batch's trailing run is held
// unparsed until the next batch or a read: the held bytes and the next batch are then handled as if
// they had come as one write, which is what the stream is; a skip inside them is checked at its own cut.
import { SerializeAddon } from "@xterm/addon-serialize";
import type { Terminal as XTerm } from "@xterm/headless";
import xtermHeadless from "@xterm/headless";
import { canSkip, findSkip, linesToFill, type Skip, trailingRun } from "./plain-lines.ts";

// Default import: the headless terminal is only a CommonJS bundle, whose named exports plain Node cannot
// see (the room pipeline benchmark runs this file there); workerd's bundle and vitest take either form.
const { Terminal } = xtermHeadless;
/** Most held back: a run that never allows a skip (bare "\n" line ends) is parsed, not carried along. */
const HOLD_MAX = 512 * 1024;

export class Screen {
  readonly term: XTerm;
  private readonly serializer = new SerializeAddon();
  private pending: Promise<void> = Promise.resolve();
  /** Bytes not parsed because they could not change the state (plain-lines.ts); for the benchmark. */
  skipped = 0;
  /** Plain lines at the end of the last batch, not parsed yet (see parseHolding). */
  private held: Uint8Array | null = null;

  constructor(
    cols: number,
    rows: number,
    private readonly scrollback = 1000,
  ) {
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    // The addon's types target the browser xterm; the headless terminal has the same surface.
    this.term.loadAddon(this.serializer as unknown as Parameters<XTerm["loadAddon"]>[0]);
  }

  write(data: Uint8Array | string): void {
    this.pending = this.pending.then(
      () =>
        new Promise<void>((res) => {
          if (typeof data === "string") {
            this.drain().then(() => this.term.write(data, res));
            return;
          }
          const held = this.held;
          this.held = null;
          this.parse(held ? join(held, data) : data, res);
        }),
    );
  }

  /** Writes `data`, leaving out a stretch of plain lines whose parsing cannot change the final state.
   * The part before it is parsed first, so the check sees the terminal exactly where the stretch starts;
   * the next write happens inside xterm's write callback, in the same pass of its write loop. */
  private parse(data: Uint8Array, done: () => void): void {
    const need = linesToFill(this.term.rows, this.scrollback);
    const skip = skipIn(data, need);
    if (!skip) {
      this.parseHolding(data, need, done);
      return;
    }
    this.term.write(data.subarray(0, skip.from), () => {
      if (!canSkip(this.term)) {
        this.term.write(data.subarray(skip.from), done);
        return;
      }
      this.skipped += skip.to - skip.from;
      this.parse(data.subarray(skip.to), done);
    });
  }

  /** Parses `data` but holds back a run of plain lines at its end (a quarter of a skippable run or more:
   * bulk output, not an echo): the next batch may continue the run, and most of it is then skipped.
   * Whatever reads the terminal (settled, at, snapshots, resize) parses what is held first. */
  private parseHolding(data: Uint8Array, need: number, done: () => void): void {
    const run = trailingRun(data);
    if (run.feeds < need >> 2 || run.feeds === 0 || data.length - run.start > HOLD_MAX) {
      this.term.write(data, done);
      return;
    }
    this.held = data.slice(run.start);
    if (run.start === 0) done();
    else this.term.write(data.subarray(0, run.start), done);
  }

  /** Parses what is held back (before anything reads the terminal). */
  private drain(): Promise<void> {
    const held = this.held;
    this.held = null;
    return held ? new Promise<void>((res) => this.term.write(held, res)) : Promise.resolve();
  }

  resize(cols: number, rows: number): void {
    this.pending = this.pending.then(() => this.drain()).then(() => this.term.resize(cols, rows));
  }

  /** Runs `fn` once everything written so far has been parsed (and before anything written later). */
  at(fn: () => void): void {
    this.pending = this.pending.then(() => this.drain()).then(fn);
  }

  /** Resolves when everything written so far has been parsed. */
  settled(): Promise<void> {
    this.pending = this.pending.then(() => this.drain());
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

/** The fast path never stops the screen: were the search to throw, every byte is parsed. */
function skipIn(data: Uint8Array, need: number): Skip | null {
  try {
    return findSkip(data, need);
  } catch {
    return null;
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
