// The data socket of one session: raw terminal bytes both ways plus small JSON control frames.
// It survives short outages: while disconnected, output is queued (bounded; the oldest output is
// dropped first) and the socket is re-dialled with backoff; on reconnect `ready {resumed:true}` is sent,
// the edge answers how much output it stored (`resume`), what the dead socket swallowed is re-sent from a
// replay buffer, then the queue, so a viewer loses nothing. After RECONNECT_WINDOW_MS it gives up.
// Output read from SSH in one turn of the event loop leaves as one frame (bulk output: a few large frames
// instead of one per SSH packet; an echo still leaves at once, one setImmediate later).

import type { Secret } from "@nostromo/crypto";
import {
  type AgentDataFrame,
  EDGE_DATA_FRAME_TYPES,
  type EdgeDataFrame,
  encodeAgentDataFrame,
  MAX_OUTPUT_FRAME_BYTES,
  parseEdgeDataFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import WebSocket from "ws";
import { Backoff, type BackoffOptions } from "./backoff";
import type { Logger } from "./log";
import { ReplayBuffer } from "./replay-buffer";
import { trace } from "./trace";

export const RECONNECT_WINDOW_MS = 60_000;
export const OUTPUT_BUFFER_LIMIT = 1024 * 1024;
const DATA_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 5000, resetAfterMs: 30_000 };
/** Pause the SSH stream when this much is waiting in the socket (a viewer on a slow link, `cat` of a big file). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Output coalesced into one frame at most; bigger output leaves as several frames of exactly this size
 * at most (the edge refuses frames over MAX_DATA_FRAME_BYTES). */
export const MAX_FRAME_BYTES = MAX_OUTPUT_FRAME_BYTES;
/** HTTP statuses at upgrade that mean "this session is gone", not "try again". */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 410]);
/** After a reconnect, how long to wait for the edge's `resume` before sending anyway (an edge without it). */
export const RESUME_WAIT_MS = 1000;

export interface DataChannelOptions {
  url: string;
  token: Secret;
  log: Logger;
  onInput: (data: Buffer) => void;
  onControl: (frame: Exclude<EdgeDataFrame, { t: "resume" }>) => void;
  /** Gone for good: the edge closed it (1000), refused the upgrade, or it stayed down past the window. */
  onGone: (reason: string) => void;
  /** Flow control towards the SSH channel. */
  onPause?: () => void;
  onResume?: () => void;
  bufferLimitBytes?: number;
  reconnectWindowMs?: number;
}

type Queued = { data: Buffer; binary: true } | { data: string; binary: false };

export class DataChannel {
  #ws: WebSocket | null = null;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #droppedBytes = 0;
  #everOpened = false;
  #downSince: number | null = null;
  #final = false;
  #finishing = false;
  #finished: Array<() => void> = [];
  #retry: NodeJS.Timeout | undefined;
  #paused = false;
  /** Output of the current event-loop turn, sent as one frame by #flushOutput. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #flushSoon: NodeJS.Immediate | undefined;
  /** Bytes handed to the open socket and not yet written to the kernel (flow control). */
  #inflight = 0;
  readonly #backoff = new Backoff(DATA_BACKOFF);
  readonly #replay: ReplayBuffer;
  /** Reconnected: output waits until the edge said how much it has (`resume`), or RESUME_WAIT_MS. */
  #holding = false;
  #holdTimer: NodeJS.Timeout | undefined;
  readonly #limit: number;
  readonly #window: number;

  constructor(private readonly options: DataChannelOptions) {
    this.#limit = options.bufferLimitBytes ?? OUTPUT_BUFFER_LIMIT;
    this.#window = options.reconnectWindowMs ?? RECONNECT_WINDOW_MS;
    this.#replay = new ReplayBuffer(this.#limit);
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    this.#downSince ??= Date.now();
    this.#dial();
  }

  sendOutput(chunk: Buffer): void {
    if (this.#final) return;
    if (!this.isOpen || this.#queue.length > 0) {
      // Outage: chunks are queued one by one so that the bounded buffer drops the oldest first.
      this.#flushOutput();
      for (let off = 0; off < chunk.length; off += MAX_FRAME_BYTES)
        this.#enqueue({ data: chunk.subarray(off, off + MAX_FRAME_BYTES), binary: true });
      return;
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= MAX_FRAME_BYTES) this.#flushOutput();
    else this.#flushSoon ??= setImmediate(() => this.#flushOutput());
  }

  sendControl(frame: AgentDataFrame): void {
    this.#flushOutput(); // keeps output and control frames in the order they were produced
    this.#enqueue({ data: encodeAgentDataFrame(frame), binary: false });
  }

  #flushOutput(): void {
    if (this.#flushSoon) clearImmediate(this.#flushSoon);
    this.#flushSoon = undefined;
    if (this.#pendingBytes === 0) return;
    const data = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    for (let off = 0; off < data.length; off += MAX_FRAME_BYTES)
      this.#enqueue({ data: data.subarray(off, off + MAX_FRAME_BYTES), binary: true });
  }

  /**
   * Delivers everything queued, then closes with 1000. When disconnected it keeps trying until the
   * reconnect window ends, so the last output and the `exit` frame still reach the edge.
   */
  finish(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#final) return resolve();
      this.#finished.push(resolve);
      this.#finishing = true;
      this.#flushOutput();
      if (this.isOpen && !this.#holding) this.#closeNow(1000, "session ended");
    });
  }

  /** Closes at once, dropping whatever is queued (agent shutdown). */
  destroy(): void {
    if (this.#final) return;
    this.#settle();
    this.#ws?.terminate();
  }

  #enqueue(item: Queued): void {
    if (this.#final) return;
    const ws = this.#ws;
    if (ws && ws.readyState === WebSocket.OPEN && this.#queue.length === 0 && !this.#holding) {
      this.#send(ws, item);
      return;
    }
    this.#queue.push(item);
    // Only terminal output counts towards the limit: control frames are tiny and must never be dropped.
    if (item.binary) this.#queuedBytes += item.data.length;
    while (this.#queuedBytes > this.#limit) {
      const oldest = this.#queue.findIndex((q) => q.binary);
      if (oldest < 0) break;
      const [dropped] = this.#queue.splice(oldest, 1);
      if (!dropped) break;
      if (this.#droppedBytes === 0) {
        this.options.log.warn("data.buffer_overflow", {
          limitBytes: this.#limit,
          note: "dropping oldest output",
        });
      }
      this.#droppedBytes += dropped.data.length;
      this.#queuedBytes -= dropped.data.length;
    }
  }

  #send(ws: WebSocket, item: Queued): void {
    const size = item.data.length;
    if (item.binary) this.#replay.push(item.data);
    this.#inflight += size;
    if (item.binary) trace?.("agent.send");
    // The callback runs once ws has written the frame to the kernel (or failed to): flow control
    // resumes SSH as soon as the backlog drains, not on a polling tick.
    ws.send(item.data, { binary: item.binary }, () => {
      if (this.#ws !== ws) return;
      this.#inflight -= size;
      if (this.#paused && this.#inflight < LOW_WATER) this.#unpause();
    });
    if (!this.#paused && this.#inflight > HIGH_WATER) {
      this.#paused = true;
      this.options.onPause?.();
    }
  }

  #unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.options.onResume?.();
  }

  #flush(ws: WebSocket): void {
    for (const item of this.#queue.splice(0)) this.#send(ws, item);
    this.#queuedBytes = 0;
    if (this.#droppedBytes > 0) {
      this.options.log.warn("data.output_dropped", { droppedBytes: this.#droppedBytes });
      this.#droppedBytes = 0;
    }
  }

  #dial(): void {
    const { log } = this.options;
    let refusedStatus: number | null = null;
    let opened = false;
    const ws = new WebSocket(this.options.url, {
      headers: { Authorization: `Bearer ${this.options.token.reveal()}` },
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
      perMessageDeflate: false,
      ...(unmaskedIsSafe(this.options.url) ? { generateMask: zeroMask } : {}),
    });
    this.#ws = ws;
    this.#inflight = 0;
    ws.on("unexpected-response", (_req, res) => {
      refusedStatus = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
    });
    ws.on("open", () => {
      opened = true;
      const resumed = this.#everOpened;
      this.#everOpened = true;
      this.#downSince = null;
      this.#backoff.connected();
      log.info(resumed ? "data.reconnected" : "data.connected");
      ws.send(encodeAgentDataFrame(resumed ? { t: "ready", resumed: true } : { t: "ready" }));
      if (!resumed) return this.#release(ws);
      this.#holding = true;
      this.#holdTimer = setTimeout(() => {
        log.warn("data.resume_timeout", { waitedMs: RESUME_WAIT_MS });
        this.#release(ws);
      }, RESUME_WAIT_MS);
    });
    ws.on("message", (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.options.onInput(buffer);
        return;
      }
      const text = buffer.toString("utf8");
      const parsed = parseEdgeDataFrame(text);
      if (!parsed.ok) {
        if (unknownFrameType(text, EDGE_DATA_FRAME_TYPES) !== null) {
          log.debug("data.unknown_frame", {});
          return;
        }
        log.warn("data.bad_frame", { error: parsed.error });
        return;
      }
      const frame = parsed.msg;
      if (frame.t === "resume") return this.#resume(ws, frame.offset);
      this.options.onControl(frame);
    });
    ws.on("error", (err) => log.debug("data.socket_error", { error: err }));
    ws.on("close", (code) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearTimeout(this.#holdTimer);
      this.#holding = false;
      this.#unpause();
      if (this.#final) return;
      // finish() already flushed the queue into this socket and asked it to close.
      if (this.#finishing && opened) return this.#settle();
      if (refusedStatus !== null && FINAL_STATUSES.has(refusedStatus)) {
        return this.#gone(`data socket refused (HTTP ${refusedStatus})`);
      }
      if (code === 1000 && opened) return this.#gone("closed by edge");
      if (opened) this.#backoff.disconnected();
      this.#downSince ??= Date.now();
      const remaining = this.#window - (Date.now() - this.#downSince);
      if (remaining <= 0) return this.#gone("data socket lost");
      const delayMs = Math.min(this.#backoff.next(), remaining);
      log.warn("data.disconnected", { code, status: refusedStatus, retryInMs: delayMs });
      this.#retry = setTimeout(() => this.#dial(), delayMs);
    });
  }

  /** The edge stored `offset` bytes: what was sent after that (lost in the dead socket) goes again, first. */
  #resume(ws: WebSocket, offset: number): void {
    if (!this.#holding || this.#ws !== ws) return;
    const { chunks, lost } = this.#replay.since(offset);
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    this.options.log.info("data.resumed", { offset, replayedBytes: bytes, lostBytes: lost });
    for (const c of chunks) ws.send(c, { binary: true });
    this.#release(ws);
  }

  /** Sends what waited (queued output and control frames), then finishes if asked to. */
  #release(ws: WebSocket): void {
    clearTimeout(this.#holdTimer);
    this.#holding = false;
    if (this.#ws !== ws || ws.readyState !== WebSocket.OPEN) return;
    this.#flush(ws);
    if (this.#finishing) this.#closeNow(1000, "session ended");
  }

  #closeNow(code: number, reason: string): void {
    const ws = this.#ws;
    if (!ws) return;
    ws.close(code, reason);
    // A peer that never answers the close handshake must not keep the session alive.
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  #gone(reason: string): void {
    const finishing = this.#finishing;
    this.#settle();
    if (!finishing) this.options.onGone(reason);
  }

  #settle(): void {
    this.#final = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#holdTimer);
    if (this.#flushSoon) clearImmediate(this.#flushSoon);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#unpause();
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const resolve of this.#finished.splice(0)) resolve();
  }
}

// A client must mask its frames (RFC 6455 §5.3) so that a browser's script cannot make its bytes look like
// something else to a transparent proxy that reads the plaintext. Over TLS no intermediary reads them, and
// on loopback there is none; there an all-zero key (ws then skips the XOR, the most expensive step of
// sending bulk output) is equivalent. Any other plain ws:// URL keeps random keys.
function unmaskedIsSafe(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === "wss:") return true;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}
