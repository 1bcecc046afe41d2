// The data socket of a session whose stream cannot be resumed — a TCP tunnel or VNC stream (tunnel.ts), an
// RDP session (rdp.ts) — as both dial it: open it with the session's token, say `ready`, report a refused
// upgrade as `session.failed` (the edge is waiting for the outcome), and once it is gone end the session
// for good: it is never re-dialled (unlike a shell's, data-channel.ts), because bytes already written to
// the far TCP peer or the RDP server cannot be replayed. The owner keeps only what its protocol does with
// the bytes; `closed` lets it drop its own connections before the edge hears `session.closed`.
import type { AgentFrame } from "@nostromo/protocol";
import WebSocket from "ws";
import { edgeWebSocketUrl } from "./config";
import type { Logger } from "./log";

export interface OneShotSocketOptions {
  baseUrl: string;
  sessionId: string;
  dataUrl: string;
  dataToken: string;
  /** The target, for the `opened` log line. */
  host: string;
  port: number;
  log: Logger;
  /** The log events' prefix (`tunnel`, `rdp`) and how a refusal names the socket. */
  event: string;
  noun: string;
  sendControl: (frame: AgentFrame) => void;
  onEnded: (sessionId: string) => void;
  binary(bytes: Buffer): void;
  text(text: string): void;
  /** The socket is gone: release the session's own connections (runs once, before `session.closed`). */
  closed(): void;
}

export class OneShotSocket {
  #ws: WebSocket | null = null;
  #opened = false;
  #ended = false;
  #reason: string | null = null;

  constructor(private readonly o: OneShotSocketOptions) {}

  get isLive(): boolean {
    return this.#opened && !this.#ended;
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    const { o } = this;
    const ws = new WebSocket(edgeWebSocketUrl(o.baseUrl, o.dataUrl), {
      headers: { Authorization: `Bearer ${o.dataToken}` },
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    let refused: number | null = null;
    ws.on("unexpected-response", (_req, res) => {
      refused = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
    });
    ws.on("open", () => {
      this.#opened = true;
      o.log.info(`${o.event}.opened`, { host: o.host, port: o.port });
      ws.send(JSON.stringify({ t: "ready" }));
    });
    ws.on("message", (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) o.binary(buffer);
      else o.text(buffer.toString("utf8"));
    });
    ws.on("error", (err) => o.log.debug(`${o.event}.socket_error`, { error: err }));
    ws.on("close", (code) => {
      if (!this.#opened) {
        o.log.warn(`${o.event}.refused`, { status: refused, code });
        o.sendControl({
          t: "session.failed",
          sessionId: o.sessionId,
          code: "CONNECT_FAILED",
          message: `${o.noun} was refused${refused ? ` (HTTP ${refused})` : ""}`,
        });
      }
      this.#finish(this.#reason ?? `data socket closed (${code})`);
    });
  }

  /** Sends towards the edge if the socket is open; `sent` runs once the bytes are written out. */
  send(data: Uint8Array | string, binary: boolean, sent?: () => void): boolean {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(data, { binary }, sent);
    return true;
  }

  /** Closes the socket, keeping the first reason given for `session.closed`. Idempotent. */
  close(reason: string, closeReason: string): void {
    this.#reason ??= reason.slice(0, 1000);
    const ws = this.#ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, closeReason);
    else ws.terminate();
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  #finish(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.o.closed();
    if (this.#opened) {
      this.o.log.info(`${this.o.event}.closed`, { reason });
      this.o.sendControl({ t: "session.closed", sessionId: this.o.sessionId, reason });
    }
    this.o.onEnded(this.o.sessionId);
  }
}
