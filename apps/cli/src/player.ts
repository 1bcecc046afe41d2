// The `recordings play` loop, apart from the terminal so that its rules have unit tests: frames written at
// their recorded pace; space pauses (nothing is written, the clock stops) and resumes; n or → skips the
// wait before the next frame (while paused: writes that one frame and stays paused); q or Ctrl-C quits.
// Keys are read one by one from each chunk (a terminal may deliver several at once). The window title
// shows the state and the position (`nostromo play ▶ 3/40`), so the player can be followed from outside.
import type { Frame } from "./cast.ts";

export type Key = "pause" | "skip" | "quit";

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The player's keys in a chunk of raw terminal input, in order (unknown bytes are ignored). */
export function keysOf(chunk: string): Key[] {
  const out: Key[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i];
    if (c === " ") out.push("pause");
    else if (c === "n") out.push("skip");
    else if (c === "q" || c === "\x03") out.push("quit");
    else if (c === "\x1b" && chunk.startsWith("[C", i + 1)) {
      out.push("skip");
      i += 2;
    }
  }
  return out;
}

export interface PlayerIo {
  write(data: string): void;
  /** The state and position, for the window title. */
  status(text: string): void;
}

export class Player {
  #paused = false;
  #quit = false;
  /** Skips asked for and not yet used (each one ends one wait, or steps one frame while paused). */
  #skips = 0;
  #wake: (() => void) | null = null;
  #at = 0;

  constructor(
    private readonly frames: Frame[],
    private readonly io: PlayerIo,
  ) {}

  key(k: Key): void {
    if (k === "quit") this.#quit = true;
    else if (k === "pause") this.#paused = !this.#paused;
    else this.#skips += 1;
    this.#show();
    this.#wake?.();
  }

  /** Plays to the end (or until quit). */
  async run(): Promise<void> {
    this.#show();
    for (; this.#at < this.frames.length && !this.#quit; ) {
      const f = this.frames[this.#at] as Frame;
      await this.#waitFor(f.wait * 1000);
      if (this.#quit) break;
      this.io.write(f.data);
      this.#at += 1;
      this.#show();
    }
  }

  /** Waits `ms` of playing time: paused time does not count; a skip ends the wait (a frame with no wait
   * does not use one, unless paused). */
  async #waitFor(ms: number): Promise<void> {
    let left = ms;
    while (!this.#quit) {
      if (!this.#paused && left <= 0) return;
      if (this.#skips > 0) {
        this.#skips -= 1;
        return;
      }
      const started = Date.now();
      const paused = this.#paused;
      await new Promise<void>((r) => {
        // setTimeout fires at once past 2^31-1 ms: a longer wait is slept in pieces.
        const timer = paused ? null : setTimeout(r, Math.min(left, MAX_TIMER_MS));
        this.#wake = () => {
          if (timer) clearTimeout(timer);
          r();
        };
      });
      this.#wake = null;
      if (!paused) left -= Date.now() - started;
    }
  }

  #show(): void {
    const state = this.#quit ? "■" : this.#paused ? "❚❚" : "▶";
    this.io.status(`nostromo play ${state} ${this.#at}/${this.frames.length}`);
  }
}
