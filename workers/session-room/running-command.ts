// The command running now and the output kept for its COMMAND row: plain text, capped at OUTPUT_CAP
// (`output_truncated` beyond), completed at the shell's D mark with its exit status — or, without shell
// integration, once output has gone quiet, with no exit status rather than a guessed one. The command
// tracker decides what may run; this part only follows what does (split from it to keep each small).
import { plainText } from "./osc-scanner.ts";

export const OUTPUT_CAP = 64 * 1024;
/** Without shell integration a command is over once output has been quiet this long. */
const QUIET_END_MS = 500;

export interface Finished {
  exitCode: number | null;
  output: string;
  truncated: boolean;
  durationMs: number;
}

interface Running {
  id: string;
  startedAt: number;
  output: string;
  truncated: boolean;
  /** Captured from the shell's report on (a row the execution guard wrote): no echo line to drop. */
  fromReport: boolean;
}

const decoder = new TextDecoder();

export class RunningCommand {
  private current: Running | null = null;

  constructor(
    private readonly finished: (id: string, r: Finished) => Promise<void>,
    private readonly lastOutputAt: () => number,
  ) {}

  /** The row `id` was written for a command about to run; its output is kept from now on.
   * `fromReport`: the row was written from the shell's report, after the command's echo. */
  start(id: string, fromReport = false): void {
    this.current = { id, startedAt: Date.now(), output: "", truncated: false, fromReport };
  }

  get active(): boolean {
    return this.current !== null;
  }

  /** The shell started it (C): its duration counts from here. */
  began(): void {
    if (this.current) this.current.startedAt = Date.now();
  }

  output(bytes: Uint8Array): void {
    const r = this.current;
    if (!r || r.truncated || bytes.length === 0) return;
    r.output += decoder.decode(bytes);
    if (r.output.length > OUTPUT_CAP * 2) r.truncated = true;
  }

  /** It ended (D), with the shell's status. */
  finish(exitCode: number | null): void {
    const r = this.current;
    if (!r) return;
    this.current = null;
    // The first line is the echo of the command itself (not captured for a row the guard wrote).
    let output = plainText(r.output);
    if (!r.fromReport) output = output.replace(/^[^\n]*\n/, "");
    let truncated = r.truncated;
    if (output.length > OUTPUT_CAP) {
      output = output.slice(0, OUTPUT_CAP);
      truncated = true;
    }
    void this.finished(r.id, { exitCode, output, truncated, durationMs: Date.now() - r.startedAt });
  }

  /** Without shell integration there is no exit status: the command ends when output goes quiet. */
  finishWhenQuiet(): void {
    const r = this.current;
    const check = () => {
      if (this.current !== r) return;
      if (Date.now() - this.lastOutputAt() > QUIET_END_MS) this.finish(null);
      else setTimeout(check, QUIET_END_MS / 2);
    };
    setTimeout(check, QUIET_END_MS);
  }
}
