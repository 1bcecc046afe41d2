// The control link: one signed WebSocket to the edge's AgentLink, re-dialled forever with backoff.
// The upgrade carries fresh Ed25519-signed headers on every attempt (see agent-auth.ts). Frames from
// the edge are validated; a malformed one is logged and ignored, never fatal; one of a type this version
// does not know is ignored quietly (see packages/protocol/src/evolution.ts).

import {
  AGENT_LINK_PATH,
  type AgentFrame,
  EDGE_FRAME_TYPES,
  type EdgeFrame,
  encodeAgentFrame,
  parseEdgeFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import WebSocket from "ws";
import { Backoff, LINK_BACKOFF } from "./backoff";
import { edgeWebSocketUrl } from "./config";
import { type AgentIdentity, signLinkHeaders } from "./credentials";
import type { Logger } from "./log";

/** Frames worth keeping across an outage (the edge must learn how sessions and commands ended). */
const QUEUED_WHILE_DOWN = new Set<AgentFrame["t"]>([
  "session.opened",
  "session.failed",
  "session.closed",
  "exec.result",
  "exec.failed",
  "error",
]);
const MAX_QUEUED = 1000;

/** Close codes of an edge restarting or a network blip: expected, logged at info. */
export function isBenignClose(code: number): boolean {
  return code === 1000 || code === 1001 || code === 1006 || code === 1012;
}

/** Socket errors of an edge that is (re)starting or briefly unreachable: logged at warn, not error. */
export function isTransientNetworkError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT" ||
    code === "EHOSTUNREACH" ||
    code === "ENETUNREACH" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "EPIPE"
  );
}

export interface ControlLinkOptions {
  baseUrl: string;
  identity: AgentIdentity;
  log: Logger;
  /** Sends hello etc.; frames queued during the outage are flushed right after it returns. */
  onOpen: () => void;
  onFrame: (frame: EdgeFrame) => void;
  onClose: () => void;
  /** A frame from the edge failed validation (already logged); lets the agent tell the edge. */
  onBadFrame?: (error: string) => void;
  /** Silence (no frame, no pong) longer than this means a dead connection. */
  livenessMs: () => number;
}

export class ControlLink {
  #ws: WebSocket | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #liveness: NodeJS.Timeout | undefined;
  #lastSeen = 0;
  #pongSeen = false;
  #queue: AgentFrame[] = [];
  readonly #backoff = new Backoff(LINK_BACKOFF);

  constructor(private readonly options: ControlLinkOptions) {}

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.#stopped = false;
    this.#dial();
  }

  /** Best effort: false when the link is down (heartbeats and metrics are simply skipped then). */
  send(frame: AgentFrame, onSent?: () => void): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeAgentFrame(frame), (err) => {
      if (!err) onSent?.();
    });
    return true;
  }

  /** Sends now, or keeps the frame for the next connection when it is one the edge must not miss. */
  sendReliable(frame: AgentFrame): void {
    if (this.send(frame)) return;
    if (!QUEUED_WHILE_DOWN.has(frame.t)) return;
    if (this.#queue.length >= MAX_QUEUED) this.#queue.shift();
    this.#queue.push(frame);
  }

  /** Stops reconnecting and closes the socket; resolves once it is closed (or after 2 s). */
  close(code = 1000, reason = "agent stopping"): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#liveness);
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The edge never answered our close frame: cut the connection instead.
        this.options.log.warn("link.close_unanswered", { waitedMs: 2000 });
        ws.terminate();
        resolve();
      }, 2000);
      ws.once("close", () => {
        clearTimeout(timer);
        this.options.log.info("link.closed", { code });
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    });
  }

  #dial(): void {
    const { log, identity } = this.options;
    const url = edgeWebSocketUrl(this.options.baseUrl, AGENT_LINK_PATH);
    let status: number | null = null;
    let error: unknown = null;
    let opened = false;
    const ws = new WebSocket(url, {
      headers: signLinkHeaders(identity),
      handshakeTimeout: 15_000,
      maxPayload: 1024 * 1024,
      perMessageDeflate: false,
    });
    this.#ws = ws;

    ws.on("unexpected-response", (_req, res) => {
      status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
    });
    ws.on("open", () => {
      opened = true;
      this.#pongSeen = false;
      this.#backoff.connected();
      this.#lastSeen = Date.now();
      log.info("link.connected", { url });
      this.#watchLiveness(ws);
      this.options.onOpen();
      for (const frame of this.#queue.splice(0)) this.send(frame);
    });
    ws.on("pong", () => {
      this.#lastSeen = Date.now();
      this.#pongSeen = true;
    });
    ws.on("message", (data, isBinary) => {
      this.#lastSeen = Date.now();
      if (isBinary) {
        log.warn("link.bad_frame", { error: "binary frame on the control link" });
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data as ArrayBuffer).toString("utf8");
      const parsed = parseEdgeFrame(text);
      if (!parsed.ok) {
        // Protocol evolution: a newer edge's frame type is ignored, not reported as garbage.
        const unknown = unknownFrameType(text, EDGE_FRAME_TYPES);
        if (unknown !== null) {
          log.debug("link.unknown_frame", { t: unknown });
          return;
        }
        log.warn("link.bad_frame", { error: parsed.error });
        this.options.onBadFrame?.(parsed.error);
        return;
      }
      try {
        this.options.onFrame(parsed.msg);
      } catch (err) {
        log.error("link.frame_handler_failed", { t: parsed.msg.t, error: err });
      }
    });
    ws.on("error", (err) => {
      error = err;
    });
    ws.on("close", (code, reasonBuffer) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#liveness);
      if (opened) {
        this.#backoff.disconnected();
        this.options.onClose();
      }
      if (this.#stopped) return;
      const reason = reasonBuffer.toString("utf8");
      if (status === 401 || status === 403) {
        const delayMs = this.#backoff.capped();
        log.error("link.unauthorized", {
          status,
          retryInMs: delayMs,
          hint: "agent revoked or unknown to the edge",
        });
        this.#schedule(delayMs);
        return;
      }
      const delayMs = this.#backoff.next();
      const fields = { code, reason, status, error, retryInMs: delayMs, attempt: this.#backoff.attempt };
      if (opened && isBenignClose(code)) log.info("link.disconnected", fields);
      else if (opened || isTransientNetworkError(error) || status !== null)
        log.warn("link.disconnected", fields);
      else log.error("link.disconnected", fields);
      this.#schedule(delayMs);
    });
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#dial(), delayMs);
  }

  /**
   * Pings at a third of the allowed silence and terminates a connection that stopped answering — a
   * half-open TCP connection would otherwise look alive for hours. Enforced only once the peer has
   * answered a ping on this connection, so a peer that never sends pongs is not cut every minute.
   */
  #watchLiveness(ws: WebSocket): void {
    clearInterval(this.#liveness);
    const check = () => {
      if (this.#pongSeen && Date.now() - this.#lastSeen > this.options.livenessMs()) {
        this.options.log.warn("link.stale", { silentMs: Date.now() - this.#lastSeen });
        ws.terminate();
        return;
      }
      ws.ping();
    };
    this.#liveness = setInterval(check, Math.max(1000, Math.floor(this.options.livenessMs() / 3)));
  }
}
