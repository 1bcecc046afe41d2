// One interactive telnet session: TCP to the target, the telnet protocol (telnet-protocol.ts) between it and
// the edge's data socket, which carries plain terminal bytes exactly as for SSH — so the room gives it the
// screen model, viewers, recording and command judging (without shell integration: there is no channel to
// install it through). There is no stored credential: the user logs in at the server's own prompts, and
// the password typed there is echoed by nobody, so it never reaches the screen, the recording or a log
// (the agent never logs typed bytes; the room stores echo-off input only as `[hidden input]`).
// Life cycle: connect → (session.failed | data socket `ready`) → relay → TCP closes → `exit` on the data
// socket → `session.closed` on the control link.

import { createConnection, type Socket } from "node:net";
import { Secret } from "@nostromo/crypto";
import type { EdgeDataFrame, TelnetOpenFrame } from "@nostromo/protocol";
import { edgeWebSocketUrl } from "./config";
import { DataChannel } from "./data-channel";
import type { Logger } from "./log";
import type { SessionDeps } from "./session";
import { TelnetProtocol } from "./telnet-protocol";

const CONNECT_TIMEOUT_MS = 10_000;
const END_GRACE_MS = 5000;

export class TelnetSession {
  readonly id: string;
  readonly #log: Logger;
  readonly #token: Secret;
  #socket: Socket | null = null;
  #data: DataChannel | null = null;
  #size: { cols: number; rows: number };
  #alive = false;
  #reason: string | null = null;
  #finished = false;
  #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(
    private readonly request: TelnetOpenFrame,
    private readonly deps: SessionDeps,
  ) {
    this.id = request.sessionId;
    this.#token = new Secret(request.dataToken);
    this.#size = { cols: request.cols, rows: request.rows };
    this.#log = deps.log.child({ sessionId: request.sessionId, protocol: "telnet" });
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  get isLive(): boolean {
    return this.#alive;
  }

  async start(): Promise<void> {
    const { host, port } = this.request;
    this.#log.info("session.connecting", { host, port });
    const socket = createConnection({ host, port, noDelay: true });
    this.#socket = socket;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error("timed out")));
    const failure = await new Promise<string | null>((resolve) => {
      socket.once("connect", () => resolve(null));
      socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    if (failure !== null) {
      this.#log.warn("session.failed", { code: "CONNECT_FAILED", message: failure });
      this.deps.sendControl({
        t: "session.failed",
        sessionId: this.id,
        code: failure === "timed out" ? "TIMEOUT" : "CONNECT_FAILED",
        message: `cannot reach ${host}:${port}: ${failure}`,
      });
      socket.destroy();
      this.#finish();
      return;
    }
    socket.setTimeout(0);
    this.#alive = true;
    const telnet = new TelnetProtocol({
      term: this.request.term,
      size: () => this.#size,
      send: (bytes) => socket.write(bytes),
    });
    const data = new DataChannel({
      url: edgeWebSocketUrl(this.deps.baseUrl, this.request.dataUrl),
      token: this.#token,
      log: this.#log,
      onInput: (bytes) => {
        if (socket.writable) socket.write(telnet.input(bytes));
      },
      onControl: (frame) => this.#control(frame, telnet),
      onGone: (reason) => this.close(reason),
      onPause: () => socket.pause(),
      onResume: () => socket.resume(),
    });
    this.#data = data;
    data.connect();
    socket.on("data", (chunk: Buffer) => {
      const out = telnet.feed(chunk);
      if (out.length > 0) data.sendOutput(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.#reason ??= `connection lost: ${err.code ?? err.message}`;
    });
    socket.once("close", () => void this.#finalize());
    if (this.#reason) socket.end();
  }

  /** Ends the session (edge request, data socket gone, agent shutdown). Idempotent. */
  close(reason: string): void {
    this.#reason ??= reason.slice(0, 1000);
    const socket = this.#socket;
    if (!socket) return;
    this.#log.info("session.closing", { reason: this.#reason });
    socket.end();
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  async shutdown(reason: string, graceMs: number): Promise<void> {
    this.close(reason);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.#done, grace]);
    clearTimeout(timer);
    this.#data?.destroy();
  }

  #control(frame: Exclude<EdgeDataFrame, { t: "resume" }>, telnet: TelnetProtocol): void {
    if (frame.t === "resize") {
      this.#size = { cols: frame.cols, rows: frame.rows };
      telnet.resize();
    } else {
      this.close(`closed by edge: ${frame.reason}`);
    }
  }

  async #finalize(): Promise<void> {
    this.#alive = false;
    const reason = this.#reason ?? "exit";
    this.#log.info("session.ended", { reason });
    const data = this.#data;
    if (data) {
      data.sendControl({ t: "exit", code: null, signal: null });
      await data.finish();
    }
    this.deps.sendControl({ t: "session.closed", sessionId: this.id, reason });
    this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resolveDone();
    this.deps.onEnded(this.id);
  }
}
