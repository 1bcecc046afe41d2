// RoomRecording: the room's side of its recording — turning it on and off, its session_recordings row,
// shipping the chunks every FLUSH_EVERY_MS (and when enough is pending), and finalising it when the
// session ends. The asciicast writing and its durability argument are in recorder.ts; the rows are
// written by room-store.ts. A VNC session records an RFB stream of the room's own instead (codec "rfb",
// rfb-recording.ts, rfb-picture.ts): its resolution comes from the stream's ServerInit, its frames per
// second are the server updates recorded per second. An RDP session records the bytes its client receives
// (codec "rdp", rdp-recording.ts): its resolution is the desktop size the client asks for, its frames per
// second the server's fast-path updates per second.
import { TAIL_ROW_BYTES } from "./output-tail.ts";
import type { ClientFacts } from "./rdp-channels.ts";
import { UpdateCounter } from "./rdp-recording.ts";
import { FLUSH_EVERY_MS, Recorder, type RecordingState } from "./recorder.ts";
import { serverInitSize } from "./rfb-recording.ts";
import type { RoomStore } from "./room-store.ts";

/** What a new recording needs to know about the session. */
export interface RecordingSubject {
  tenantId: string;
  sessionUuid: string;
  publicId: string;
  cols: number;
  rows: number;
  recordingRetentionDays: number;
  kind?: "tunnel" | "rdp" | "vnc";
}

export interface RecordingHost {
  sql: SqlStorage;
  bucket: R2Bucket;
  store: RoomStore;
  subject(): RecordingSubject;
  /** Persists the room's record (which holds the recording's state). */
  save(): Promise<void>;
  /** The recording stopped: the room's record forgets it. */
  stopped(): void;
  /** A VNC session's relay records its owner's RFB stream only while this says so (vnc-relay.ts). */
  streamRecorded(on: boolean): void;
}

export class RoomRecording {
  private recorder: Recorder | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Server updates recorded (a VNC session's): its frames per second. */
  private updates = 0;
  /** An RDP session's server updates (its fast-path PDUs). */
  private rdpUpdates = new UpdateCounter();

  constructor(private readonly host: RecordingHost) {}

  get active(): boolean {
    return this.recorder !== null;
  }

  get state(): RecordingState | null {
    return this.recorder?.state ?? null;
  }

  /** A restarted object picks up the recording its record names; the unshipped tail is in its storage. */
  restore(state: RecordingState): void {
    this.recorder = new Recorder(this.host.sql, this.host.bucket, state);
  }

  /** The toggle, and a session opened with recording on: a VNC session's stream is recorded while on. */
  async set(on: boolean): Promise<void> {
    if (on && !this.recorder) {
      await this.start();
      if (this.host.subject().kind === "vnc") this.host.streamRecorded(true);
    }
    if (!on && this.recorder) {
      if (this.host.subject().kind === "vnc") this.host.streamRecorded(false);
      await this.stop();
    }
  }

  private async start(): Promise<void> {
    const m = this.host.subject();
    const id = crypto.randomUUID();
    const prefix = `recordings/${m.tenantId}/${m.sessionUuid}/${id}`;
    const codec = m.kind === "vnc" ? ("rfb" as const) : m.kind === "rdp" ? ("rdp" as const) : undefined;
    this.recorder = Recorder.start(
      this.host.sql,
      this.host.bucket,
      id,
      prefix,
      m.cols,
      m.rows,
      m.publicId,
      codec,
    );
    this.updates = 0;
    this.rdpUpdates = new UpdateCounter();
    const retentionUntil = new Date(Date.now() + m.recordingRetentionDays * 86_400_000);
    await this.host.store.recordingStarted({
      id,
      prefix,
      cols: m.cols,
      rows: m.rows,
      retentionUntil,
      codec,
    });
    this.scheduleFlush();
  }

  /** Appends one output batch; throws when the object's storage fails. */
  output(batch: Uint8Array): void {
    // In slices: one asciicast line per slice stays far below the storage's row limit.
    for (let off = 0; this.recorder && off < batch.byteLength; off += TAIL_ROW_BYTES)
      this.recorder.output(batch.subarray(off, off + TAIL_ROW_BYTES));
    if (this.recorder?.due) void this.flush();
  }

  /** Server bytes of a VNC or RDP session's recorded stream; `first`: a VNC stream's first bytes
   * (ServerInit), which set the recording's resolution. */
  picture(bytes: Uint8Array, first: boolean): void {
    const r = this.recorder;
    if (!r?.state.codec) return;
    const size = first && r.state.codec === "rfb" ? serverInitSize(bytes) : null;
    if (size) this.resolution(`${size.width}x${size.height}`);
    if (r.state.codec === "rdp") this.rdpUpdates.push(bytes);
    for (let off = 0; off < bytes.byteLength; off += TAIL_ROW_BYTES / 2)
      r.bytes(bytes.subarray(off, off + TAIL_ROW_BYTES / 2));
    if (r.due) void this.flush();
  }

  /** An RDP session's client passed its Connect Initial: what it asked for, and the desktop's size. */
  client(facts: ClientFacts): void {
    const r = this.recorder;
    if (r?.state.codec !== "rdp") return;
    r.client(facts);
    this.resolution(`${facts.width}x${facts.height}`);
  }

  private resolution(size: string): void {
    const id = this.recorder?.state.id;
    if (id) void this.host.store.recordingResolution(id, size).catch(() => {});
  }

  /** A whole server update of a VNC session's recorded stream. */
  frame(): void {
    if (this.recorder?.state.codec === "rfb") this.updates += 1;
  }

  resize(cols: number, rows: number): void {
    this.recorder?.resize(cols, rows);
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.recorder) this.scheduleFlush();
      });
    }, FLUSH_EVERY_MS);
  }

  private async flush(): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    await r.flush();
    await this.host.save();
  }

  async stop(): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    this.recorder = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await r.flush();
    this.host.stopped();
    const perSecond = (n: number) => Math.round((n / Math.max(r.durationSeconds, 1)) * 100) / 100;
    await this.host.store
      .recordingFinished(r.state.id, {
        bytes: r.state.bytes,
        chunks: r.state.chunks,
        durationSeconds: r.durationSeconds,
        ...(r.state.codec
          ? { framesPerSecond: perSecond(r.state.codec === "rfb" ? this.updates : this.rdpUpdates.updates) }
          : {}),
      })
      .catch((err) =>
        console.error(
          JSON.stringify({ level: "error", msg: "recording finalise failed", error: String(err) }),
        ),
      );
  }
}
