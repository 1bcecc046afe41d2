// Session recording as asciicast v2 in R2, written in chunks: every output batch is first appended to the
// object's own SQLite (durable before the batch is sent to viewers — the Durable Object output gate holds
// outgoing messages until the write is confirmed), then shipped to R2 as numbered chunk objects every few
// seconds. An evicted or crashed object therefore loses nothing already sent to viewers: the unshipped
// tail is still in its storage and is shipped on the next start or at the end.
// A VNC session's recording goes the same way in the same line format, with codec "rfb" (rfb-recording.ts):
// its events are the server's RFB bytes, base64, with their time; an RDP session's with codec "rdp"
// (rdp-recording.ts): the server's bytes as the browser's client received them.
import { eventLine, headerLine } from "./asciicast.ts";
import type { ClientFacts } from "./rdp-channels.ts";
import { RDP_MIME_TYPE, rdpClientLine, rdpHeaderLine } from "./rdp-recording.ts";
import { RFB_MIME_TYPE, rfbEventLine, rfbHeaderLine } from "./rfb-recording.ts";

/** A graphical session's recording format; absent = asciicast v2. */
export type Codec = "rfb" | "rdp";
const MIME_TYPES: Record<Codec, string> = { rfb: RFB_MIME_TYPE, rdp: RDP_MIME_TYPE };

export const FLUSH_EVERY_MS = 2_000;
export const FLUSH_AT_BYTES = 512 * 1024;

export interface RecordingState {
  id: string;
  /** R2 key prefix; chunks are <prefix>/<000000>.part */
  prefix: string;
  startedAt: number;
  chunks: number;
  bytes: number;
  pendingBytes: number;
  /** "rfb" for a VNC session's recording, "rdp" for an RDP session's; absent = asciicast v2. */
  codec?: Codec;
}

export function chunkKey(prefix: string, n: number): string {
  return `${prefix}/${String(n).padStart(6, "0")}.part`;
}

export class Recorder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  /** The flush in progress: flushes run one at a time (two at once would read the same rows and give
   * two bodies the same chunk number, losing output — found by the bulk-recording e2e test). */
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly bucket: R2Bucket,
    public state: RecordingState,
  ) {
    sql.exec(
      "create table if not exists cast_lines (seq integer primary key autoincrement, line text not null)",
    );
  }

  static start(
    sql: SqlStorage,
    bucket: R2Bucket,
    id: string,
    prefix: string,
    cols: number,
    rows: number,
    title: string,
    codec?: Codec,
  ) {
    const startedAt = Date.now();
    const state = { id, prefix, startedAt, chunks: 0, bytes: 0, pendingBytes: 0 };
    if (codec) {
      const r = new Recorder(sql, bucket, { ...state, codec });
      const h = { width: cols, height: rows, timestamp: Math.floor(startedAt / 1000), title };
      r.append(codec === "rfb" ? rfbHeaderLine(h) : rdpHeaderLine(h));
      return r;
    }
    const r = new Recorder(sql, bucket, state);
    r.append(
      headerLine({
        width: cols,
        height: rows,
        timestamp: Math.floor(startedAt / 1000),
        title,
        env: { TERM: "xterm-256color" },
      }),
    );
    return r;
  }

  private append(line: string): void {
    this.sql.exec("insert into cast_lines (line) values (?)", line);
    this.state.pendingBytes += line.length;
  }

  output(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    if (text) this.append(eventLine((Date.now() - this.state.startedAt) / 1000, "o", text));
  }

  /** Server bytes of a VNC or RDP session's recorded stream (the same event line). */
  bytes(bytes: Uint8Array): void {
    this.append(rfbEventLine((Date.now() - this.state.startedAt) / 1000, bytes));
  }

  /** What an RDP session's client asked for (rdp-recording.ts). */
  client(facts: ClientFacts): void {
    this.append(rdpClientLine((Date.now() - this.state.startedAt) / 1000, facts));
  }

  resize(cols: number, rows: number): void {
    this.append(eventLine((Date.now() - this.state.startedAt) / 1000, "r", `${cols}x${rows}`));
  }

  /** Enough is waiting to ship a chunk, and no flush is already under way. */
  get due(): boolean {
    return this.flushing === null && this.state.pendingBytes >= FLUSH_AT_BYTES;
  }

  /** Ships what is in storage to R2 as the next chunk, after any flush already under way. */
  flush(): Promise<void> {
    const run = (this.flushing ?? Promise.resolve()).then(() => this.ship());
    const settled = run.catch(() => {});
    this.flushing = settled;
    void settled.then(() => {
      if (this.flushing === settled) this.flushing = null;
    });
    return run;
  }

  private async ship(): Promise<void> {
    const rows = this.sql
      .exec<{ seq: number; line: string }>("select seq, line from cast_lines order by seq")
      .toArray();
    if (rows.length === 0) return;
    const body = rows.map((r) => r.line).join("");
    await this.bucket.put(chunkKey(this.state.prefix, this.state.chunks), body, {
      httpMetadata: {
        contentType: this.state.codec ? MIME_TYPES[this.state.codec] : "application/x-asciicast",
      },
    });
    const last = rows[rows.length - 1]?.seq ?? 0;
    this.sql.exec("delete from cast_lines where seq <= ?", last);
    this.state.chunks += 1;
    const size = new TextEncoder().encode(body).byteLength;
    this.state.bytes += size;
    // Lines appended while the chunk was being written stay pending for the next one.
    this.state.pendingBytes = Math.max(0, this.state.pendingBytes - body.length);
  }

  get durationSeconds(): number {
    return (Date.now() - this.state.startedAt) / 1000;
  }
}

/** Streams a recording's chunks, in order, as one .cast file. */
export function castStream(bucket: R2Bucket, prefix: string, chunks: number): ReadableStream<Uint8Array> {
  let n = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (n >= chunks) {
        controller.close();
        return;
      }
      const obj = await bucket.get(chunkKey(prefix, n));
      n += 1;
      if (obj) controller.enqueue(new Uint8Array(await obj.arrayBuffer()));
    },
  });
}
