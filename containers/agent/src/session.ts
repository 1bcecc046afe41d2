// One interactive remote session: an SSH shell on the target relayed to the edge's data socket.
// Life cycle: connect → (session.failed | session.opened) → relay → SSH ends → `exit` on the data
// socket → data socket closed → `session.closed` on the control link. Every way out goes through
// the SSH connection closing, so the edge always hears about the end exactly once.

import { Secret } from "@nostromo/crypto";
import type { AgentFrame, EdgeDataFrame, SessionOpenFrame } from "@nostromo/protocol";
import type { ClientChannel } from "ssh2";
import { edgeWebSocketUrl } from "./config";
import { DataChannel } from "./data-channel";
import type { Logger } from "./log";
import { detectLoginShell, integrationSnippet, OutputGate, shellKind } from "./shell-integration";
import { classifySshError, connectSsh, SshConnectError, type SshConnection } from "./ssh";
import { trace } from "./trace";

export interface SessionDeps {
  baseUrl: string;
  log: Logger;
  /** Control-link send that survives a link outage (queued until reconnect). */
  sendControl: (frame: AgentFrame) => void;
  /** Called once, after the end has been reported. */
  onEnded: (sessionId: string) => void;
}

/** How long `client.end()` may take before the socket is destroyed. */
const END_GRACE_MS = 5000;
const MAX_REASON = 1000;

export class Session {
  readonly id: string;
  readonly #log: Logger;
  readonly #token: Secret;
  readonly #markKey: Secret | null;
  #conn: SshConnection | null = null;
  #stream: ClientChannel | null = null;
  #data: DataChannel | null = null;
  #gate: OutputGate | null = null;
  #endReason: string | null = null;
  #exit: { code: number | null; signal: string | null } = { code: null, signal: null };
  #sshAlive = false;
  #finished = false;
  #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(
    private readonly request: SessionOpenFrame,
    private readonly deps: SessionDeps,
  ) {
    this.id = request.sessionId;
    this.#token = new Secret(request.dataToken);
    this.#markKey = request.markKey ? new Secret(request.markKey) : null;
    this.#log = deps.log.child({ sessionId: request.sessionId });
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  /** True while the SSH connection is up (what `hello.sessions` and `active_connections` count). */
  get isLive(): boolean {
    return this.#sshAlive;
  }

  /** Resolves when the session has fully ended and been reported. */
  get done(): Promise<void> {
    return this.#done;
  }

  async start(): Promise<void> {
    const { target } = this.request;
    this.#log.info("session.connecting", { host: target.host, port: target.port, user: target.username });
    try {
      this.#conn = await connectSsh(target);
    } catch (err) {
      const failure = err instanceof SshConnectError ? err.failure : classifySshError(err, target);
      this.#log.warn("session.failed", { code: failure.code, message: failure.message });
      this.deps.sendControl({ t: "session.failed", sessionId: this.id, ...failure });
      this.#finish();
      return;
    }
    const { client, hostKey } = this.#conn;
    this.#sshAlive = true;
    client.on("error", (err) => {
      this.#log.warn("session.ssh_error", { error: classifySshError(err, target).message });
      this.#endReason ??= "ssh connection lost";
    });
    client.once("close", () => void this.#finalize());
    if (this.#endReason) {
      // session.close arrived while we were connecting.
      client.end();
      return;
    }

    const { cols, rows, term } = this.request;
    const [shell, loginShell] = await Promise.all([
      new Promise<ClientChannel | Error>((resolve) => {
        client.shell({ term, cols, rows, width: 0, height: 0 }, (err, stream) => resolve(err ?? stream));
      }),
      this.request.shellIntegration ? detectLoginShell(client) : Promise.resolve(null),
    ]);
    // The connection may have dropped, or the edge closed the session, while the channel opened;
    // #finalize has reported that already.
    if (!this.#sshAlive) return;
    if (shell instanceof Error) {
      this.#log.warn("session.shell_refused", { error: shell });
      this.deps.sendControl({
        t: "session.failed",
        sessionId: this.id,
        code: "PROTOCOL",
        message: `the server refused a shell: ${shell.message}`.slice(0, MAX_REASON),
      });
      this.#sshAlive = false;
      this.#endReason = "shell refused";
      client.end();
      return;
    }
    this.#stream = shell;
    this.deps.sendControl({
      t: "session.opened",
      sessionId: this.id,
      hostKey: hostKey.line,
      hostKeyFingerprint: hostKey.fingerprint,
    });
    this.#log.info("session.opened", { hostKeyFingerprint: hostKey.fingerprint, loginShell });

    const data = new DataChannel({
      url: edgeWebSocketUrl(this.deps.baseUrl, this.request.dataUrl),
      token: this.#token,
      log: this.#log,
      onInput: (bytes) => this.#input(bytes),
      onControl: (frame) => this.#control(frame),
      onGone: (reason) => this.close(reason),
      onPause: () => shell.pause(),
      onResume: () => shell.resume(),
    });
    this.#data = data;
    data.connect();

    // Without a mark key the edge could not tell the integration's marks from forged ones: no integration.
    const kind = loginShell ? shellKind(loginShell) : null;
    const markKey = this.#markKey;
    if (kind && markKey) {
      this.#gate = new OutputGate({
        forward: (chunk) => data.sendOutput(chunk),
        inject: () => shell.write(integrationSnippet(kind, markKey.reveal())),
        markKey: markKey.reveal(),
      });
    }
    const output = (chunk: Buffer) => {
      trace?.("agent.out");
      if (this.#gate) this.#gate.push(chunk);
      else data.sendOutput(chunk);
    };
    shell.on("data", output);
    shell.stderr.on("data", output);
    shell.on("exit", (code: number | null, signal?: string) => {
      this.#exit = { code: typeof code === "number" ? code : null, signal: signal ?? null };
    });
    shell.on("close", () => client.end());
  }

  /** Ends the session (edge request, data socket gone, agent shutdown). Idempotent. */
  close(reason: string): void {
    this.#endReason ??= reason.slice(0, MAX_REASON);
    const client = this.#conn?.client;
    if (!client) return;
    this.#log.info("session.closing", { reason: this.#endReason });
    client.end();
    setTimeout(() => client.destroy(), END_GRACE_MS).unref();
  }

  /** For shutdown: close, give the data socket a moment to deliver `exit`, then cut it. */
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

  #input(bytes: Buffer): void {
    const stream = this.#stream;
    if (!stream) return;
    const gate = this.#gate;
    const write = () => {
      trace?.("agent.in");
      if (stream.writable) stream.write(bytes);
    };
    if (gate && !gate.isOpen) gate.whenOpen(write);
    else write();
  }

  #control(frame: Exclude<EdgeDataFrame, { t: "resume" }>): void {
    if (frame.t === "resize") {
      this.#stream?.setWindow(frame.rows, frame.cols, 0, 0);
      this.#log.debug("session.resized", { cols: frame.cols, rows: frame.rows });
    } else {
      this.close(`closed by edge: ${frame.reason}`);
    }
  }

  async #finalize(): Promise<void> {
    if (!this.#sshAlive && this.#data === null) {
      this.#finish();
      return;
    }
    this.#sshAlive = false;
    this.#gate?.dispose();
    const reason = this.#endReason ?? "exit";
    this.#log.info("session.ended", { reason, exitCode: this.#exit.code, signal: this.#exit.signal });
    const data = this.#data;
    if (data) {
      data.sendControl({ t: "exit", code: this.#exit.code, signal: this.#exit.signal });
      await data.finish();
    }
    this.deps.sendControl({ t: "session.closed", sessionId: this.id, reason, exitCode: this.#exit.code });
    this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resolveDone();
    this.deps.onEnded(this.id);
  }
}
