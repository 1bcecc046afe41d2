// The running agent: owns the control link, the live sessions and in-flight exec requests, and the
// heartbeat / metrics timers. Routes every edge frame to the piece that handles it.
import os from "node:os";
import {
  type AgentFrame,
  type EdgeFrame,
  PROTOCOL_VERSION,
  type RdpOpenFrame,
  type SessionOpenFrame,
  type TelnetOpenFrame,
  type TunnelOpenFrame,
  type VncOpenFrame,
} from "@nostromo/protocol";
import type { AgentConfig } from "./config";
import type { AgentIdentity } from "./credentials";
import { runExec } from "./exec";
import { writeHeartbeat } from "./heartbeat-file";
import { ControlLink } from "./link";
import type { Logger } from "./log";
import { collectMetrics, type HostFacts } from "./metrics";
import { runProbe } from "./probe";
import { RdpSession } from "./rdp";
import { Session } from "./session";
import { TelnetSession } from "./telnet";
import { Tunnel } from "./tunnel";
import { vncHandshake } from "./vnc-auth";

export const EXIT_REVOKED = 3;
/** Time each session gets at shutdown to send `exit` before its data socket is cut. */
const SHUTDOWN_GRACE_MS = 3000;

export class Agent {
  readonly #sessions = new Map<string, Session | TelnetSession>();
  /** Tunnels and RDP sessions: relays without a screen, never re-dialled. */
  readonly #tunnels = new Map<string, Tunnel | RdpSession>();
  #execsInFlight = 0;
  #heartbeatMs: number;
  #metricsMs: number;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #metricsTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #heartbeatFileBroken = false;
  readonly #link: ControlLink;

  constructor(
    private readonly config: AgentConfig,
    identity: AgentIdentity,
    private readonly facts: HostFacts,
    private readonly log: Logger,
    /** Called with the process exit code when the agent decides to stop by itself (revoked). */
    private readonly exit: (code: number) => void,
  ) {
    this.#heartbeatMs = config.heartbeatIntervalMs;
    this.#metricsMs = config.metricsIntervalMs;
    this.#link = new ControlLink({
      baseUrl: config.url,
      identity,
      log,
      onOpen: () => this.#onLinkOpen(),
      onFrame: (frame) => this.#onFrame(frame),
      onClose: () => this.#stopTimers(),
      onBadFrame: (error) => this.#report("warn", "agent rejected a frame from the edge", { error }),
      livenessMs: () => 3 * this.#heartbeatMs,
    });
  }

  /** SSH connections currently held: live sessions plus running exec requests. */
  get activeConnections(): number {
    let live = 0;
    for (const session of this.#sessions.values()) if (session.isLive) live += 1;
    for (const tunnel of this.#tunnels.values()) live += tunnel.streams;
    return live + this.#execsInFlight;
  }

  start(): void {
    this.log.info("agent.start", { url: this.config.url, version: this.facts.version });
    this.#link.start();
  }

  /** Closes every SSH connection, tells the edge, closes the link. Safe to call twice. */
  async stop(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.log.info("agent.stopping", { reason, sessions: this.#sessions.size });
    this.#stopTimers();
    for (const tunnel of this.#tunnels.values()) tunnel.close("agent shutdown");
    await Promise.all(
      [...this.#sessions.values()].map((s) => s.shutdown("agent shutdown", SHUTDOWN_GRACE_MS)),
    );
    await this.#link.close(1001, "agent shutting down");
    this.log.info("agent.stopped");
  }

  #onLinkOpen(): void {
    const sessions = [...this.#sessions.values(), ...this.#tunnels.values()]
      .filter((s) => s.isLive)
      .map((s) => s.id);
    this.#link.send({
      t: "hello",
      version: this.facts.version,
      hostname: this.facts.hostname,
      os: this.facts.os,
      platform: this.facts.platform,
      arch: this.facts.arch,
      uptimeSec: Math.round(os.uptime()),
      sessions,
      name: this.config.agentName,
      protocol: PROTOCOL_VERSION,
    });
    this.#startTimers();
    void this.#sendMetrics();
  }

  #onFrame(frame: EdgeFrame): void {
    switch (frame.t) {
      case "hello.ack":
        this.log.info("link.ready", {
          agentId: frame.agentId,
          heartbeatIntervalMs: frame.heartbeatIntervalMs,
        });
        this.#heartbeatMs = frame.heartbeatIntervalMs;
        this.#metricsMs = frame.metricsIntervalMs ?? this.#metricsMs;
        this.#startTimers();
        void this.#touchHeartbeatFile();
        return;
      case "session.open":
        this.#openSession(frame);
        return;
      case "telnet.open":
        this.#openSession(frame);
        return;
      case "tunnel.open":
      case "rdp.open":
      case "vnc.open":
        this.#openTunnel(frame);
        return;
      case "session.close": {
        const session = this.#sessions.get(frame.sessionId) ?? this.#tunnels.get(frame.sessionId);
        if (session) session.close(`closed by edge: ${frame.reason}`);
        else
          this.#link.sendReliable({
            t: "session.closed",
            sessionId: frame.sessionId,
            reason: "unknown session",
          });
        return;
      }
      case "exec.request":
        this.#execsInFlight += 1;
        // Streamed output is best effort (dropped while the link is down); the result is always delivered.
        void runExec(frame, this.log, (output) => this.#link.send(output))
          .then((result) => this.#link.sendReliable(result))
          .finally(() => {
            this.#execsInFlight -= 1;
          });
        return;
      case "probe.request":
        void runProbe(frame).then((result) => this.#link.sendReliable(result));
        return;
      case "ping":
        this.#link.send({ t: "heartbeat", ts: Date.now(), pingTs: frame.ts });
        return;
      case "revoked":
        this.log.error("agent.revoked", { reason: frame.reason });
        void this.stop("revoked").finally(() => this.exit(EXIT_REVOKED));
        return;
    }
  }

  #openSession(frame: SessionOpenFrame | TelnetOpenFrame): void {
    if (this.#stopping) return;
    if (this.#sessions.has(frame.sessionId)) {
      // The edge re-sent it (e.g. after a link reconnect); the running session already serves it.
      this.log.warn("session.duplicate_open", { sessionId: frame.sessionId });
      return;
    }
    const deps = {
      baseUrl: this.config.url,
      log: this.log,
      sendControl: (f: AgentFrame) => this.#link.sendReliable(f),
      onEnded: (id: string) => this.#sessions.delete(id),
    };
    const session = frame.t === "telnet.open" ? new TelnetSession(frame, deps) : new Session(frame, deps);
    this.#sessions.set(frame.sessionId, session);
    session.start().catch((err: unknown) => {
      this.log.error("session.crashed", { sessionId: frame.sessionId, error: err });
      this.#report("error", "session handler failed", { sessionId: frame.sessionId });
      session.close("internal error");
    });
  }

  /** A TCP tunnel; a VNC session (a tunnel whose every stream first passes the VNC handshake); an RDP
   * session (the browser's RDCleanPath proxy). */
  #openTunnel(frame: TunnelOpenFrame | VncOpenFrame | RdpOpenFrame): void {
    if (this.#stopping || this.#tunnels.has(frame.sessionId)) return;
    const deps = {
      baseUrl: this.config.url,
      log: this.log,
      sendControl: (f: AgentFrame) => this.#link.sendReliable(f),
      onEnded: (id: string) => this.#tunnels.delete(id),
    };
    let tunnel: Tunnel | RdpSession;
    if (frame.t === "rdp.open") tunnel = new RdpSession(frame, deps);
    else if (frame.t === "vnc.open") {
      const password = frame.password;
      tunnel = new Tunnel(frame, { ...deps, prepare: (socket) => vncHandshake(socket, password) });
    } else tunnel = new Tunnel(frame, deps);
    this.#tunnels.set(frame.sessionId, tunnel);
    tunnel.start();
  }

  #startTimers(): void {
    this.#stopTimers();
    this.#heartbeatTimer = setInterval(() => {
      this.#link.send({ t: "heartbeat", ts: Date.now() }, () => void this.#touchHeartbeatFile());
    }, this.#heartbeatMs);
    this.#metricsTimer = setInterval(() => void this.#sendMetrics(), this.#metricsMs);
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeatTimer);
    clearInterval(this.#metricsTimer);
  }

  async #sendMetrics(): Promise<void> {
    try {
      this.#link.send(await collectMetrics(this.activeConnections));
    } catch (err) {
      this.log.warn("metrics.failed", { error: err });
    }
  }

  async #touchHeartbeatFile(): Promise<void> {
    try {
      await writeHeartbeat(this.config.stateDir, { ts: Date.now(), intervalMs: this.#heartbeatMs });
      this.#heartbeatFileBroken = false;
    } catch (err) {
      this.log.warn("heartbeat.file_failed", { error: err });
      if (this.#heartbeatFileBroken) return;
      this.#heartbeatFileBroken = true;
      this.#report("warn", "cannot write the heartbeat file; the container health check will fail", {
        stateDir: this.config.stateDir,
      });
    }
  }

  /** Tells the edge about a problem it should show to operators (the `error` frame). */
  #report(level: "warn" | "error", message: string, context: Record<string, string>): void {
    const safe = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, v.slice(0, 500)]));
    this.#link.sendReliable({ t: "error", level, message, context: safe });
  }
}
