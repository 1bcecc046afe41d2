// OutputPipeline: the path of the shell's output through the room, in this order per batch —
// batching (leading edge, then at most one batch per OUTPUT_BATCH_MS or OUTPUT_BATCH_BYTES), the resume
// offset, the shell-integration scan (OSC marks are consumed here: the screen, the tail, the recording and
// the viewers see the output without them; enforcement sees each mark exactly where it was), the screen
// model, the durable restart tail and the recording (both before any viewer sees the batch), then one
// frame per viewer. Kept apart so the room's hottest path reads in one place.
import type { ScanEvent } from "./osc-scanner.ts";
import { OscScanner } from "./osc-scanner.ts";
import type { OutputTail } from "./output-tail.ts";
import type { Screen } from "./screen.ts";
import type { Trace } from "./trace.ts";

export const OUTPUT_BATCH_MS = 8;
export const OUTPUT_BATCH_BYTES = 256 * 1024;

/** Where a batch goes, in order. */
export interface OutputSinks {
  screen(): Screen | null;
  /** The batch's bytes count towards the agent's resume offset. */
  counted(bytes: number): void;
  /** Each scanned piece after the screen got it, with the mark that ended it. */
  piece(bytes: Uint8Array, event: ScanEvent | null): void;
  /** Durable copy for the recording; throws when the storage fails. */
  record(batch: Uint8Array): void;
  /** The output could not be stored: the batch goes no further. */
  storageFailed(err: unknown): void;
  /** One frame to every viewer who may see. */
  fanOut(batch: Uint8Array): void;
}

export class OutputPipeline {
  /** Removes (and verifies) the shell integration's marks; its key changes with each new shell. */
  readonly scanner = new OscScanner();
  /** When output last arrived from the agent (the tracker's echo clock reads it). */
  lastOutputAt = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlushAt = 0;

  constructor(
    private readonly trace: Trace,
    private readonly tail: OutputTail,
    private readonly sinks: OutputSinks,
  ) {}

  push(bytes: Uint8Array): void {
    this.trace?.("room.out");
    this.lastOutputAt = Date.now();
    this.pending.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (this.pendingBytes >= OUTPUT_BATCH_BYTES) {
      this.flush();
      return;
    }
    if (this.timer) return;
    // Leading edge: output after a quiet spell (an echo, a prompt) goes out at once; what follows within
    // OUTPUT_BATCH_MS is coalesced into the next batch, so a busy session still costs each viewer at
    // most one frame per OUTPUT_BATCH_MS (or per OUTPUT_BATCH_BYTES).
    const since = Date.now() - this.lastFlushAt;
    if (since >= OUTPUT_BATCH_MS) this.flush();
    else this.timer = setTimeout(() => this.flush(), OUTPUT_BATCH_MS - since);
  }

  /** One batch: screen model, durable tail, recording, then one frame per viewer. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingBytes === 0) return;
    this.lastFlushAt = Date.now();
    const raw = joinBytes(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.sinks.counted(raw.byteLength);
    const pieces = this.scanner.scan(raw);
    const batch =
      pieces.length === 1 && !pieces[0]?.event
        ? (pieces[0]?.bytes ?? raw)
        : joinBytes(
            pieces.map((p) => p.bytes),
            pieces.reduce((a, p) => a + p.bytes.byteLength, 0),
          );
    const screen = this.sinks.screen();
    for (const piece of pieces) {
      if (piece.bytes.length) screen?.write(piece.bytes);
      this.sinks.piece(piece.bytes, piece.event);
    }
    if (batch.byteLength === 0) return;
    try {
      this.tail.append(batch);
      this.sinks.record(batch);
    } catch (err) {
      this.sinks.storageFailed(err);
      return;
    }
    this.sinks.fanOut(batch);
    this.trace?.("room.fanout");
  }
}

function joinBytes(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}
