// One TCP tunnel (docs/tunnels.md): the edge sent `tunnel.open`; the agent dials the tunnel's data socket
// and, for every `tcp.open` the edge relays from the CLI, opens a TCP connection to the tunnel's host:port
// (only that one: the edge chose it, the agent never takes a target from the data socket). Bytes, flow
// control and half closes are TunnelMux's (packages/protocol). Unlike a shell's data socket this one is
// not re-dialled after a drop: the streams' bytes cannot be replayed to the far TCP peer, so a lost socket
// ends the tunnel and every connection in it, and the edge hears `session.closed`.

import { createConnection, type Socket } from "node:net";
import {
  type AgentFrame,
  MAX_TUNNEL_STREAMS,
  parseEdgeTunnelDataFrame,
  type StreamSocket,
  TunnelMux,
  type TunnelOpenFrame,
  type VncOpenFrame,
} from "@nostromo/protocol";
import WebSocket from "ws";
import { edgeWebSocketUrl } from "./config";
import type { Logger } from "./log";

export interface TunnelDeps {
  baseUrl: string;
  log: Logger;
  sendControl: (frame: AgentFrame) => void;
  onEnded: (sessionId: string) => void;
  /** Runs on each stream's connected socket before `tcp.opened` (a VNC session's handshake, vnc-auth.ts):
   * resolves with bytes read past it, or rejects with the reason the stream is closed. */
  prepare?: (socket: Socket) => Promise<Buffer>;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class Tunnel {
  readonly id: string;
  readonly #log: Logger;
  #ws: WebSocket | null = null;
  readonly #mux: TunnelMux;
  #opened = false;
  #ended = false;
  #reason: string | null = null;

  constructor(
    private readonly request: TunnelOpenFrame | VncOpenFrame,
    private readonly deps: TunnelDeps,
  ) {
    this.id = request.sessionId;
    this.#log = deps.log.child({ sessionId: request.sessionId, tunnel: true });
    this.#mux = new TunnelMux({
      binary: (frame) => this.#send(frame, true),
      text: (frame) => this.#send(frame, false),
    });
  }

  get isLive(): boolean {
    return this.#opened && !this.#ended;
  }

  /** Open TCP connections (the metrics' active connections). */
  get streams(): number {
    return this.#mux.size;
  }

  start(): void {
    const ws = new WebSocket(edgeWebSocketUrl(this.deps.baseUrl, this.request.dataUrl), {
      headers: { Authorization: `Bearer ${this.request.dataToken}` },
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
      this.#log.info("tunnel.opened", { host: this.request.host, port: this.request.port });
      ws.send(JSON.stringify({ t: "ready" }));
    });
    ws.on("message", (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.#mux.remote(buffer);
      else this.#control(buffer.toString("utf8"));
    });
    ws.on("error", (err) => this.#log.debug("tunnel.socket_error", { error: err }));
    ws.on("close", (code) => {
      if (!this.#opened) {
        this.#log.warn("tunnel.refused", { status: refused, code });
        this.deps.sendControl({
          t: "session.failed",
          sessionId: this.id,
          code: "CONNECT_FAILED",
          message: `the tunnel's data socket was refused${refused ? ` (HTTP ${refused})` : ""}`,
        });
      }
      this.#finish(this.#reason ?? `data socket closed (${code})`);
    });
  }

  /** Ends the tunnel and every connection in it (edge request, agent shutdown). Idempotent. */
  close(reason: string): void {
    this.#reason ??= reason.slice(0, 1000);
    this.#mux.closeAll();
    const ws = this.#ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "tunnel closed");
    else ws.terminate();
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  #control(text: string): void {
    const parsed = parseEdgeTunnelDataFrame(text);
    if (!parsed.ok) {
      this.#log.debug("tunnel.bad_frame", { error: parsed.error });
      return;
    }
    const f = parsed.msg;
    if (f.t === "close") this.close(`closed by edge: ${f.reason}`);
    else if (f.t === "tcp.open") this.#openStream(f.stream);
    else if (f.t !== "tcp.opened") this.#mux.control(f);
  }

  #openStream(stream: number): void {
    if (this.#mux.has(stream) || this.#mux.size >= MAX_TUNNEL_STREAMS) {
      this.#mux.send({ t: "tcp.close", stream, reason: "refused by the agent" });
      return;
    }
    const { host, port } = this.request;
    const socket = createConnection({ host, port, allowHalfOpen: true, noDelay: true });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error("connect timeout")));
    let failure: string | undefined;
    this.#mux.add(stream, nodeStream(socket));
    const relay = (early: Buffer) => {
      this.#mux.send({ t: "tcp.opened", stream });
      if (early.byteLength > 0) this.#mux.local(stream, early);
      socket.on("data", (chunk: Buffer) => this.#mux.local(stream, chunk));
      socket.resume();
    };
    socket.once("connect", () => {
      socket.setTimeout(0);
      const prepare = this.deps.prepare;
      if (!prepare) return relay(Buffer.alloc(0));
      prepare(socket).then(relay, (err: Error) => {
        failure = err.message;
        this.#log.info("tunnel.stream_refused", { stream, error: failure });
        socket.destroy();
      });
    });
    socket.on("end", () => this.#mux.localEnd(stream));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      failure = `${host}:${port}: ${err.code ?? err.message}`;
      this.#log.debug("tunnel.stream_error", { stream, error: failure });
    });
    socket.on("close", () => this.#mux.localClosed(stream, failure));
  }

  #send(frame: Uint8Array | string, binary: boolean): void {
    const ws = this.#ws;
    if (ws?.readyState === WebSocket.OPEN) ws.send(frame, { binary });
  }

  #finish(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#mux.closeAll();
    if (this.#opened) {
      this.#log.info("tunnel.closed", { reason });
      this.deps.sendControl({ t: "session.closed", sessionId: this.id, reason });
    }
    this.deps.onEnded(this.id);
  }
}

/** A net.Socket as the mux drives it. */
export function nodeStream(socket: Socket): StreamSocket {
  return {
    write: (data, written) => {
      if (!socket.writable) return;
      socket.write(data, () => written());
    },
    end: () => socket.end(),
    destroy: () => socket.destroy(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}
