// One RDP session for the browser (docs/live-sessions.md, RDP sessions): the edge sent `rdp.open`; the
// agent dials the session's data socket and is the RDCleanPath proxy of the browser's IronRDP client,
// whose bytes the room relays unchanged. The first binary bytes are the client's RDCleanPath request: the
// destination it names is ignored — the agent dials only the host:port of `rdp.open` (rdp-connect.ts) —
// then the agent answers the RDCleanPath response (the server's X.224 confirm and TLS chain) or error,
// and relays client bytes ↔ the TLS connection. Like a tunnel, a lost data socket is not re-dialled (the
// RDP stream cannot be resumed mid-way): the session ends and the edge hears `session.closed`.
import type { TLSSocket } from "node:tls";
import { type AgentFrame, MAX_RDP_CHUNK, parseEdgeRdpDataFrame, type RdpOpenFrame } from "@nostromo/protocol";
import type { Logger } from "./log";
import { OneShotSocket } from "./one-shot-socket";
import {
  decodeRequest,
  detectPdu,
  encodeError,
  encodeResponse,
  GENERAL_ERROR_CODE,
  MAX_REQUEST_BYTES,
} from "./rdcleanpath";
import { connectRdpServer } from "./rdp-connect";

export interface RdpDeps {
  baseUrl: string;
  log: Logger;
  sendControl: (frame: AgentFrame) => void;
  onEnded: (sessionId: string) => void;
}

/** Server bytes sent on the data socket and not yet written out: past this the agent stops reading TLS. */
const HIGH_WATER_BYTES = 1024 * 1024;

type Phase = "request" | "connecting" | "relay" | "over";

export class RdpSession {
  readonly id: string;
  readonly #log: Logger;
  readonly #socket: OneShotSocket;
  #tls: TLSSocket | null = null;
  #phase: Phase = "request";
  #pending = Buffer.alloc(0);
  #inFlight = 0;

  constructor(
    private readonly request: RdpOpenFrame,
    deps: RdpDeps,
  ) {
    this.id = request.sessionId;
    this.#log = deps.log.child({ sessionId: request.sessionId, rdp: true });
    this.#socket = new OneShotSocket({
      ...deps,
      ...request,
      log: this.#log,
      event: "rdp",
      noun: "the session's data socket",
      binary: (bytes) => this.#fromClient(bytes),
      text: (text) => {
        const parsed = parseEdgeRdpDataFrame(text);
        if (parsed.ok) this.close(`closed by edge: ${parsed.msg.reason}`);
      },
      closed: () => {
        this.#phase = "over";
        this.#tls?.destroy();
      },
    });
  }

  get isLive(): boolean {
    return this.#socket.isLive;
  }

  /** Open connections to the RDP server (the metrics' active connections). */
  get streams(): number {
    return this.#tls && this.#phase !== "over" ? 1 : 0;
  }

  start(): void {
    this.#socket.start();
  }

  /** Ends the session (edge request, agent shutdown). Idempotent. */
  close(reason: string): void {
    this.#phase = "over";
    this.#tls?.destroy();
    this.#socket.close(reason, "rdp session closed");
  }

  #fromClient(bytes: Buffer): void {
    if (this.#phase === "relay") {
      this.#tls?.write(bytes);
      return;
    }
    if (this.#phase === "over") return;
    // Bytes that arrive while the proxy connects (a client that does not wait for the response) are kept,
    // within the request's bound, and written once TLS is up.
    this.#pending = Buffer.concat([this.#pending, bytes]);
    if (this.#phase === "connecting") {
      if (this.#pending.length > MAX_REQUEST_BYTES)
        this.#refuse("the client sent too much before the response");
      return;
    }
    const found = detectPdu(this.#pending);
    if (!found.ok) {
      if (!found.more) this.#refuse("the client did not start with an RDCleanPath request");
      return;
    }
    if (this.#pending.length < found.total) return;
    const req = decodeRequest(this.#pending.subarray(0, found.total));
    this.#pending = this.#pending.subarray(found.total);
    if (!req.ok) {
      this.#refuse(req.error);
      return;
    }
    this.#phase = "connecting";
    void this.#connect(req.value.x224);
  }

  async #connect(x224: Uint8Array): Promise<void> {
    const { host, port } = this.request;
    const r = await connectRdpServer(host, port, x224);
    if (this.#phase === "over") {
      if (r.ok) r.tls.destroy();
      return;
    }
    if (!r.ok) {
      this.#log.warn("rdp.connect_failed", { host, port, error: r.message });
      this.#toClient(encodeError(r.error, r.confirm));
      this.close(r.message);
      return;
    }
    this.#log.info("rdp.server_connected", { host, port, certificates: r.chain.length });
    this.#tls = r.tls;
    this.#phase = "relay";
    this.#toClient(encodeResponse(r.serverAddr, r.confirm, r.chain));
    if (this.#pending.length > 0) r.tls.write(this.#pending);
    this.#pending = Buffer.alloc(0);
    r.tls.on("data", (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += MAX_RDP_CHUNK)
        this.#toClient(chunk.subarray(at, at + MAX_RDP_CHUNK));
    });
    r.tls.on("error", (err) => this.#log.debug("rdp.server_error", { error: err.message }));
    r.tls.on("close", () => this.close("the RDP server closed the connection"));
  }

  #refuse(why: string): void {
    this.#log.warn("rdp.bad_request", { error: why });
    this.#toClient(encodeError({ errorCode: GENERAL_ERROR_CODE, httpStatusCode: 400 }));
    this.close(`bad RDCleanPath request: ${why}`);
  }

  /** Sends server bytes towards the client; past the high-water mark the server is not read until they drain. */
  #toClient(bytes: Uint8Array): void {
    if (!this.#socket.isOpen) return;
    this.#inFlight += bytes.byteLength;
    if (this.#inFlight > HIGH_WATER_BYTES) this.#tls?.pause();
    this.#socket.send(bytes, true, () => {
      this.#inFlight -= bytes.byteLength;
      if (this.#inFlight <= HIGH_WATER_BYTES / 2 && this.#tls?.isPaused()) this.#tls.resume();
    });
  }
}
