// AgentLink: the Durable Object holding one installed agent's control socket (one object per agent).
// The Worker authenticates the upgrade (Ed25519 signature over the shared signing string); this object
// refuses replayed nonces, keeps exactly one live link, answers hello, records heartbeats, metrics and
// errors, and is how the edge reaches the agent (send, revoke).
// Every frame is checked against what THIS agent was asked to do (requests.ts): an answer about a session
// or command the edge did not send it (output: of a command sent for streaming) is refused, never
// forwarded, audited in the agent's tenant, and counts toward cutting the link; telemetry is rate-limited
// and its database writes coalesced; limits and thresholds are in limits.ts. A misbehaving agent is cut
// off and its tenant alerted; no other agent or tenant is touched. Commands in flight: execs.ts.
import { DurableObject } from "cloudflare:workers";
import {
  AGENT_FRAME_TYPES,
  AGENT_LINK_MAX_SKEW_MS,
  type AgentFrame,
  type EdgeFrame,
  encodeEdgeFrame,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseAgentFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import { Databases } from "../db/databases.ts";
import type { Bindings } from "../env.ts";
import { answerClose } from "../live/answer-close.ts";
import type { LiveObject } from "../live/login-sockets.ts";
import { type AgentAlert, writeAgentAlert } from "./alerts.ts";
import { EXEC_GRACE_MS, type ExecOutcome, ExecsInFlight } from "./execs.ts";
import { AlertLimiter, type CutReason, LinkGuard, QUARANTINE_MS } from "./limits.ts";
import { AnswerWaiters, OutstandingRequests } from "./requests.ts";
import { reopenSessions, sessionsLost } from "./sessions.ts";
import { type AgentIdentity, markConnected, recordHello, TelemetryWriter } from "./store.ts";
import { VERIFIED_AGENT_HEADER } from "./verified.ts";

export const HEARTBEAT_INTERVAL_MS = 15_000;
export const REVOKED_CLOSE_CODE = 4003;
export const REPLACED_CLOSE_CODE = 4000;
/** Policy violation (RFC 6455): the close code of a link cut for misbehaving. */
export const CUT_CLOSE_CODE = 1008;

interface Attachment extends AgentIdentity {
  garbage: number;
  /** The link's hello was handled (an agent says hello once per connection). */
  greeted?: boolean;
}

type ProbeOutcome = Extract<AgentFrame, { t: "probe.result" }>;
type SessionAnswer = Extract<AgentFrame, { t: "session.opened" | "session.failed" | "session.closed" }>;

const CUT_MESSAGES: Record<CutReason, string> = {
  violations: "too many frames about sessions or commands it was not asked to serve",
  garbage: "too many malformed frames",
  flood: "frame flood over its rate limit",
  oversized: "frame over the size limit",
};

export class AgentLink extends DurableObject<Bindings> implements LiveObject {
  /** Pools held for the object's life, reused by every frame (no pool per heartbeat). */
  private readonly db: Databases;
  private readonly requests: OutstandingRequests;
  private readonly telemetry: TelemetryWriter;
  private readonly alerts = new AlertLimiter();
  private guard: { ws: WebSocket; guard: LinkGuard } | null = null;
  private readonly execs = new ExecsInFlight();
  /** Connection-test (probe) requests waiting for the agent's answer. */
  private readonly probes = new AnswerWaiters<ProbeOutcome>();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "create table if not exists nonces (nonce text primary key, seen_at integer not null)",
    );
    ctx.storage.sql.exec("create table if not exists quarantine (until integer not null)");
    this.db = Databases.forObject(env);
    this.requests = new OutstandingRequests(ctx.storage.sql);
    this.telemetry = new TelemetryWriter(this.db, (msg, err) => logError(msg, err));
  }

  override async fetch(request: Request): Promise<Response> {
    const raw = request.headers.get(VERIFIED_AGENT_HEADER);
    if (!raw) return new Response("not routed through the Worker", { status: 400 });
    const info = JSON.parse(raw) as AgentIdentity & { nonce: string };
    const now = Date.now();
    const [q] = this.ctx.storage.sql.exec<{ until: number }>("select until from quarantine").toArray();
    if (q && q.until > now) {
      return Response.json(
        {
          error: {
            code: "FORBIDDEN",
            message: `This agent was cut off for misbehaving; links are refused until ${new Date(q.until).toISOString()}`,
            request_id: "agent-link",
          },
        },
        { status: 403 },
      );
    }
    this.ctx.storage.sql.exec("delete from nonces where seen_at < ?", now - 2 * AGENT_LINK_MAX_SKEW_MS);
    const seen = this.ctx.storage.sql.exec("select 1 from nonces where nonce = ?", info.nonce).toArray();
    if (seen.length > 0) {
      return Response.json(
        { error: { code: "UNAUTHORIZED", message: "Replayed link signature", request_id: "agent-link" } },
        { status: 401 },
      );
    }
    this.ctx.storage.sql.exec("insert into nonces (nonce, seen_at) values (?, ?)", info.nonce, now);
    for (const old of this.ctx.getWebSockets()) old.close(REPLACED_CLOSE_CODE, "replaced by a newer link");

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, ["agent"]);
    const attachment: Attachment = { agentId: info.agentId, tenantId: info.tenantId, garbage: 0 };
    server.serializeAttachment(attachment);
    // A database hiccup must not refuse the link: the next heartbeat or metrics write records it.
    await this.db
      .control((db) => markConnected(db, attachment, true))
      .catch((err) => logError("marking the agent online failed", err));
    return new Response(null, { status: 101, webSocket: client });
  }

  private guardFor(ws: WebSocket, a: Attachment): LinkGuard {
    if (this.guard?.ws !== ws) this.guard = { ws, guard: new LinkGuard(Date.now(), { garbage: a.garbage }) };
    return this.guard.guard;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Whatever an agent sends, the handler never throws: a failure is logged and the link carries on.
    await this.onMessage(ws, message).catch((err) => logError("agent frame handling failed", err));
  }

  private async onMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Frames still arriving after the edge closed (cut) this link are not processed.
    if (ws.readyState !== WebSocket.OPEN) return;
    const a = ws.deserializeAttachment() as Attachment;
    const guard = this.guardFor(ws, a);
    const now = Date.now();
    const size = typeof message === "string" ? message.length : message.byteLength;
    if (size > MAX_FRAME_BYTES) {
      await this.cut(ws, a, "oversized", { bytes: size });
      return;
    }
    const parsed = parseAgentFrame(message);
    if (!parsed.ok) {
      const unknown = unknownFrameType(message, AGENT_FRAME_TYPES);
      if (unknown !== null) {
        // Protocol evolution: a newer agent's frame type. Ignored, counted, logged (sparsely); it still
        // spends the telemetry budget, so a flood of them is cut like any other flood.
        guard.counters.unknown += 1;
        if (isPowerOfTwo(guard.counters.unknown))
          logWarn("agent frame of unknown type ignored", {
            agentId: a.agentId,
            t: unknown,
            count: guard.counters.unknown,
          });
        if (!guard.admitTelemetry(now)) await this.judge(ws, a, guard);
        return;
      }
      guard.counters.garbage += 1;
      a.garbage = guard.counters.garbage;
      ws.serializeAttachment(a);
      if (guard.counters.garbage <= 3 || isPowerOfTwo(guard.counters.garbage))
        logWarn("agent frame rejected", { agentId: a.agentId, error: parsed.error, count: a.garbage });
      await this.judge(ws, a, guard);
      return;
    }
    const frame = parsed.msg;
    switch (frame.t) {
      case "hello":
      case "heartbeat":
      case "metrics":
      case "error":
        if (!guard.admitTelemetry(now)) {
          await this.judge(ws, a, guard);
          return;
        }
        await this.onTelemetry(ws, a, guard, frame);
        return;
      case "session.opened":
      case "session.failed":
      case "session.closed":
        await this.onSessionAnswer(ws, a, guard, frame);
        return;
      case "exec.result":
      case "exec.failed":
      case "exec.output": {
        // Only about a request sent to this agent; output only if that request asked for a stream.
        const output = frame.t === "exec.output";
        if (!this.requests.has(output ? "exec.stream" : "exec", frame.requestId, now)) {
          await this.refuse(ws, a, guard, frame.t, { requestId: frame.requestId });
          return;
        }
        if (frame.t === "exec.output") this.execs.output(frame);
        else {
          this.requests.done("exec", frame.requestId);
          this.execs.ended(frame);
        }
        return;
      }
      case "probe.result": {
        if (!this.requests.has("probe", frame.requestId, now)) {
          await this.refuse(ws, a, guard, frame.t, { requestId: frame.requestId });
          return;
        }
        this.requests.done("probe", frame.requestId);
        this.probes.settle(frame.requestId, frame);
        return;
      }
    }
  }

  private async onTelemetry(
    ws: WebSocket,
    a: Attachment,
    guard: LinkGuard,
    frame: Extract<AgentFrame, { t: "hello" | "heartbeat" | "metrics" | "error" }>,
  ): Promise<void> {
    switch (frame.t) {
      case "hello": {
        if (a.greeted) {
          await this.refuse(ws, a, guard, "hello", { note: "a second hello on the same link" });
          return;
        }
        a.greeted = true;
        ws.serializeAttachment(a);
        await this.db
          .control((db) => recordHello(db, a, frame))
          .catch((e) => logError("hello write failed", e));
        this.send({
          t: "hello.ack",
          agentId: a.agentId,
          heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
          protocol: PROTOCOL_VERSION,
        });
        const now = Date.now();
        const foreign = frame.sessions.filter((id) => !this.requests.has("session", id, now));
        if (foreign.length > 0) await this.refuse(ws, a, guard, "hello", { sessions: foreign.slice(0, 10) });
        const held = frame.sessions.filter((id) => !foreign.includes(id));
        await reopenSessions(this.env, this.db, a, held, (f) => this.send(f));
        return;
      }
      case "heartbeat":
        this.telemetry.heartbeat(a);
        return;
      case "metrics":
        this.telemetry.metrics(a, frame);
        return;
      case "error":
        this.telemetry.error(a, frame);
        return;
    }
  }

  /** A session answer is forwarded only for a session the edge asked this agent to serve; the room checks
   * again that this agent is the session's agent. */
  private async onSessionAnswer(
    ws: WebSocket,
    a: Attachment,
    guard: LinkGuard,
    frame: SessionAnswer,
  ): Promise<void> {
    if (!this.requests.has("session", frame.sessionId, Date.now())) {
      await this.refuse(ws, a, guard, frame.t, { sessionId: frame.sessionId });
      return;
    }
    if (frame.t === "session.closed") this.requests.done("session", frame.sessionId);
    const room = this.env.SESSION_ROOM.get(this.env.SESSION_ROOM.idFromName(frame.sessionId));
    const accepted = await room
      .agentEvent(frame, { agentId: a.agentId, tenantId: a.tenantId })
      .catch((err) => logError(`forwarding ${frame.t} failed`, err));
    if (accepted === false)
      await this.refuse(ws, a, guard, frame.t, { sessionId: frame.sessionId, by: "room" });
  }

  /** A frame about something this agent was not asked to do: not forwarded, audited, counted. */
  private async refuse(
    ws: WebSocket,
    a: Attachment,
    guard: LinkGuard,
    t: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    guard.violation(Date.now());
    logWarn("agent frame refused", { agentId: a.agentId, t, ...detail });
    await this.alert(a, {
      action: "agent_frame_refused",
      description: `Agent ${a.agentId} sent ${t} about something it was not asked to serve; refused`,
      metadata: { frame: t, ...detail, violations: guard.counters.violations },
    });
    await this.judge(ws, a, guard);
  }

  private async judge(ws: WebSocket, a: Attachment, guard: LinkGuard): Promise<void> {
    const reason = guard.verdict();
    if (reason) await this.cut(ws, a, reason, { ...guard.counters });
  }

  /** Cuts the link and alerts the tenant. An agent that acted on what it was not asked to, or flooded the
   * link, is also refused for QUARANTINE_MS; one that sent garbage or an oversized frame (a broken agent
   * more likely than a hostile one) may reconnect at once, as before. */
  private async cut(ws: WebSocket, a: Attachment, reason: CutReason, detail: Record<string, unknown>) {
    if (ws.readyState !== WebSocket.OPEN) return;
    const oversized = reason === "oversized";
    const quarantine = reason === "violations" || reason === "flood";
    ws.close(oversized ? FRAME_TOO_BIG_CLOSE_CODE : CUT_CLOSE_CODE, CUT_MESSAGES[reason]);
    if (quarantine) {
      this.ctx.storage.sql.exec("delete from quarantine");
      this.ctx.storage.sql.exec("insert into quarantine (until) values (?)", Date.now() + QUARANTINE_MS);
    }
    logWarn("agent link cut", { agentId: a.agentId, reason, ...detail });
    await this.alert(
      a,
      {
        action: oversized ? "agent_frame_too_big" : "agent_cut_off",
        description: oversized
          ? `Agent ${a.agentId} sent a control frame over ${MAX_FRAME_BYTES} bytes; its link was closed`
          : `Agent ${a.agentId} was cut off (${CUT_MESSAGES[reason]})${quarantine ? `; its links are refused for ${QUARANTINE_MS / 1000} s` : ""}`,
        metadata: { reason, ...detail },
        status: "failure",
      },
      true,
    );
  }

  private async alert(a: AgentIdentity, alert: AgentAlert, force = false): Promise<void> {
    const suppressed = this.alerts.admit(Date.now(), force);
    if (suppressed === null) return;
    await this.db
      .tenant(a.tenantId, (db) => writeAgentAlert(db, a, alert, suppressed))
      .catch((e) => logError("agent alert write failed", e));
  }

  /** Runs one command through the agent's SSH exec channel; null when the agent is offline or silent. */
  async exec(frame: Extract<EdgeFrame, { t: "exec.request" }>): Promise<ExecOutcome | null> {
    if (!this.send(frame)) return null;
    return this.execs.wait(frame);
  }

  /** The same, with the output as it arrives: NDJSON ExecEvents (execs.ts); null when the agent is offline. */
  async execStream(
    frame: Extract<EdgeFrame, { t: "exec.request" }>,
  ): Promise<ReadableStream<Uint8Array> | null> {
    const request = { ...frame, stream: true };
    if (!this.send(request)) return null;
    return this.execs.stream(request);
  }

  /** A connection test: can the agent open TCP to host:port? Null when the agent is offline or silent. */
  async probe(frame: Extract<EdgeFrame, { t: "probe.request" }>): Promise<ProbeOutcome | null> {
    if (!this.send(frame)) return null;
    return this.probes.wait(frame.requestId, frame.timeoutMs + EXEC_GRACE_MS);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason = ""): Promise<void> {
    // Answered at once: the agent waits for the answer before it exits (its SIGTERM stop).
    answerClose(ws, code, reason);
    const a = ws.deserializeAttachment() as Attachment | null;
    if (this.guard?.ws === ws) this.guard = null;
    if (!a) return;
    // A replaced link closes while the new one is already up: only the last one marks offline.
    const others = this.ctx.getWebSockets().filter((s) => s !== ws);
    if (others.length === 0 && code !== REPLACED_CLOSE_CODE) {
      this.telemetry.cancel();
      // The database may be gone too (the stack is stopping): a failed write is logged, never uncaught.
      await this.db
        .control((db) => markConnected(db, a, false))
        .catch((err) => logError("marking the agent offline failed", err));
      await sessionsLost(this.env, this.db, a);
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws, 1011);
  }

  /** Sends a frame to the agent; false when it is not connected. Requests are remembered (requests.ts). */
  send(frame: EdgeFrame): boolean {
    const [ws] = this.ctx.getWebSockets("agent");
    if (!ws) return false;
    this.requests.sent(frame, Date.now());
    ws.send(encodeEdgeFrame(frame));
    return true;
  }

  async sendFrame(frame: EdgeFrame): Promise<boolean> {
    return this.send(frame);
  }

  async isConnected(): Promise<boolean> {
    return this.ctx.getWebSockets("agent").length > 0;
  }

  /** Revocation: the socket is closed at once (the Worker already refuses the credential). */
  async revoke(reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      try {
        ws.send(encodeEdgeFrame({ t: "revoked", reason }));
      } finally {
        ws.close(REVOKED_CLOSE_CODE, "agent revoked");
      }
    }
    return sockets.length;
  }

  async closeLogin(_loginId: string, _reason: string): Promise<number> {
    // Agents authenticate with their own credential, never with a login: nothing to close.
    return 0;
  }
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function logWarn(msg: string, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: "warn", msg, ...fields }));
}

function logError(msg: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", msg, error: String(err) }));
}
