// The data socket of one session: raw terminal bytes both ways plus small JSON control frames.
// It survives short outages: while disconnected, output is queued (bounded; the oldest output is
// dropped first) and the socket is re-dialled with backoff; on reconnect `ready {resumed:true}` and
// the queue are sent, so a viewer loses nothing. After RECONNECT_WINDOW_MS it gives up.
import WebSocket from "ws";
import {
  type AgentDataFrame,
  type EdgeDataFrame,
  encodeAgentDataFrame,
  parseEdgeDataFrame,
} from "../../../workers/protocol/index";
import { Backoff, type BackoffOptions } from "./backoff";
import type { Logger } from "./log";
import type { Secret } from "./secret";

export const RECONNECT_WINDOW_MS = 60_000;
export const OUTPUT_BUFFER_LIMIT = 1024 * 1024;
const DATA_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 5000, resetAfterMs: 30_000 };
/** Pause the SSH stream when this much is waiting in the socket (a viewer on a slow link, `cat` of a big file). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** HTTP statuses at upgrade that mean "this session is gone", not "try again". */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 410]);

export interface DataChannelOptions {
  url: string;
  token: Secret;
  log: Logger;
  onInput: (data: Buffer) => void;
  onControl: (frame: EdgeDataFrame) => void;
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
  #drainPoll: NodeJS.Timeout | undefined;
  #paused = false;
  readonly #backoff = new Backoff(DATA_BACKOFF);
  readonly #limit: number;
  readonly #window: number;

  constructor(private readonly options: DataChannelOptions) {
    this.#limit = options.bufferLimitBytes ?? OUTPUT_BUFFER_LIMIT;
    this.#window = options.reconnectWindowMs ?? RECONNECT_WINDOW_MS;
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    this.#downSince ??= Date.now();
    this.#dial();
  }

  sendOutput(chunk: Buffer): void {
    this.#enqueue({ data: chunk, binary: true });
  }

  sendControl(frame: AgentDataFrame): void {
    this.#enqueue({ data: encodeAgentDataFrame(frame), binary: false });
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
      if (this.isOpen) this.#closeNow(1000, "session ended");
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
    if (ws && ws.readyState === WebSocket.OPEN && this.#queue.length === 0) {
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
    ws.send(item.data, { binary: item.binary });
    if (!this.#paused && ws.bufferedAmount > HIGH_WATER) {
      this.#paused = true;
      this.options.onPause?.();
      this.#drainPoll = setInterval(() => {
        if (this.#ws !== ws || ws.bufferedAmount < LOW_WATER) this.#unpause();
      }, 50);
    }
  }

  #unpause(): void {
    clearInterval(this.#drainPoll);
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
    });
    this.#ws = ws;
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
      this.#flush(ws);
      if (this.#finishing) this.#closeNow(1000, "session ended");
    });
    ws.on("message", (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.options.onInput(buffer);
        return;
      }
      const parsed = parseEdgeDataFrame(buffer.toString("utf8"));
      if (!parsed.ok) {
        log.warn("data.bad_frame", { error: parsed.error });
        return;
      }
      this.options.onControl(parsed.msg);
    });
    ws.on("error", (err) => log.debug("data.socket_error", { error: err }));
    ws.on("close", (code) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
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
    this.#unpause();
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const resolve of this.#finished.splice(0)) resolve();
  }
}
