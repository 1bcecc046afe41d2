// The grammar's bookkeeping for one list: the simple command being built and the left side of a pending `|`.
import type { RawCommand } from "./parse-context.ts";

/** The simple command being built in one list, and the left side of a pending `|`. */
export class ListState {
  cur: RawCommand | null = null;
  pipeFrom: RawCommand | null = null;
  constructor(
    private readonly raws: RawCommand[],
    private readonly level: number,
  ) {}

  finish(): RawCommand | null {
    const done = this.cur;
    this.cur = null;
    if (done === null || done.words.length === 0) return null;
    this.raws.push(done);
    return done;
  }

  /** Ends the command at a separator other than `|`. */
  end(): void {
    this.finish();
    this.pipeFrom = null;
  }

  ensure(): RawCommand {
    if (this.cur === null) {
      this.cur = { words: [], redirects: [], pipeFrom: this.pipeFrom, level: this.level };
      this.pipeFrom = null;
    }
    return this.cur;
  }
}
