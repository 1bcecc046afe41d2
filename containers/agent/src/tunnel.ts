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
import type { Logger } from "./log";
import { OneShotSocket } from "./one-shot-socket";

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
  readonly #socket: OneShotSocket;
  readonly #mux: TunnelMux;

  constructor(
    private readonly request: TunnelOpenFrame | VncOpenFrame,
    private readonly deps: TunnelDeps,
  ) {
    this.id = request.sessionId;
    this.#log = deps.log.child({ sessionId: request.sessionId, tunnel: true });
    this.#mux = new TunnelMux({
      binary: (frame) => this.#socket.send(frame, true),
      text: (frame) => this.#socket.send(frame, false),
    });
    this.#socket = new OneShotSocket({
      ...deps,
      ...request,
      log: this.#log,
      event: "tunnel",
      noun: "the tunnel's data socket",
      binary: (bytes) => this.#mux.remote(bytes),
      text: (text) => this.#control(text),
      closed: () => this.#mux.closeAll(),
    });
  }

  get isLive(): boolean {
    return this.#socket.isLive;
  }

  /** Open TCP connections (the metrics' active connections). */
  get streams(): number {
    return this.#mux.size;
  }

  start(): void {
    this.#socket.start();
  }

  /** Ends the tunnel and every connection in it (edge request, agent shutdown). Idempotent. */
  close(reason: string): void {
    this.#mux.closeAll();
    this.#socket.close(reason, "tunnel closed");
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
