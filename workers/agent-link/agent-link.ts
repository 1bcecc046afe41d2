// AgentLink: the Durable Object holding one installed agent's control socket (one object per agent).
// The Worker authenticates the upgrade (Ed25519 signature over the shared signing string); this object
// refuses replayed nonces, keeps exactly one live link, answers hello, records heartbeats, metrics and
// errors, and is how the edge reaches the agent (send, revoke). Frames are zod-validated; garbage is
// logged and counted, and a peer that sends only garbage is disconnected — never a crash.
import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { session } from "../../db/schema/tenant/session.ts";
import type { Bindings } from "../env.ts";
import type { LiveObject } from "../live/login-sockets.ts";
import { type AgentFrame, type EdgeFrame, encodeEdgeFrame, parseAgentFrame } from "../protocol/agent.ts";
import { AGENT_LINK_MAX_SKEW_MS } from "../protocol/agent-auth.ts";
import { openFrame } from "../sessions/open.ts";
import { withTenantDb } from "../tenancy/standalone.ts";
import {
  type AgentIdentity,
  markConnected,
  recordAgentError,
  recordHeartbeat,
  recordHello,
  recordMetrics,
  withDb,
} from "./store.ts";

/** Set by the Worker after it verified the upgrade; any client-sent value is overwritten there. */
export const VERIFIED_AGENT_HEADER = "x-nostromo-verified-agent";
export const HEARTBEAT_INTERVAL_MS = 15_000;
export const MAX_GARBAGE_FRAMES = 20;
export const REVOKED_CLOSE_CODE = 4003;
export const REPLACED_CLOSE_CODE = 4000;

interface Attachment extends AgentIdentity {
  garbage: number;
}

export const EXEC_GRACE_MS = 5_000;

/** A failed write (database down or restarting) is logged; thrown out of a socket handler it was uncaught. */
const logged = (what: string) => (err: unknown) =>
  console.error(JSON.stringify({ level: "error", msg: `agent ${what} write failed`, error: String(err) }));

type ExecOutcome = Extract<AgentFrame, { t: "exec.result" | "exec.failed" }>;

export class AgentLink extends DurableObject<Bindings> implements LiveObject {
  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "create table if not exists nonces (nonce text primary key, seen_at integer not null)",
    );
  }

  override async fetch(request: Request): Promise<Response> {
    const raw = request.headers.get(VERIFIED_AGENT_HEADER);
    if (!raw) return new Response("not routed through the Worker", { status: 400 });
    const info = JSON.parse(raw) as AgentIdentity & { nonce: string };
    const now = Date.now();
    this.ctx.storage.sql.exec("delete from nonces where seen_at < ?", now - 2 * AGENT_LINK_MAX_SKEW_MS);
    const seen = this.ctx.storage.sql.exec("select 1 from nonces where nonce = ?", info.nonce).toArray();
    if (seen.length > 0) {
      return Response.json(
        { error: { code: "UNAUTHORIZED", message: "Replayed link signature", requestId: "agent-link" } },
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
    await withDb(this.env, (db) => markConnected(db, attachment, true)).catch(logged("link state"));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const a = ws.deserializeAttachment() as Attachment;
    const parsed = parseAgentFrame(message);
    if (!parsed.ok) {
      a.garbage += 1;
      ws.serializeAttachment(a);
      console.warn(
        JSON.stringify({
          level: "warn",
          msg: "agent frame rejected",
          agentId: a.agentId,
          error: parsed.error,
        }),
      );
      if (a.garbage > MAX_GARBAGE_FRAMES) ws.close(1008, "too many malformed frames");
      return;
    }
    const frame = parsed.msg;
    switch (frame.t) {
      case "hello":
        await withDb(this.env, (db) => recordHello(db, a, frame)).catch(logged("hello"));
        this.send({ t: "hello.ack", agentId: a.agentId, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
        await this.reopenSessions(a, frame.sessions);
        return;
      case "heartbeat":
        await withDb(this.env, (db) => recordHeartbeat(db, a)).catch(logged("heartbeat"));
        return;
      case "metrics":
        await withDb(this.env, (db) => recordMetrics(db, a, frame)).catch(logged("metrics"));
        return;
      case "error":
        await withDb(this.env, (db) => recordAgentError(db, a, frame)).catch(logged("agent error"));
        return;
      case "session.opened":
      case "session.failed":
      case "session.closed":
        await this.env.SESSION_ROOM.get(this.env.SESSION_ROOM.idFromName(frame.sessionId)).agentEvent(frame);
        return;
      case "exec.result":
      case "exec.failed": {
        const waiter = this.execWaiters.get(frame.requestId);
        this.execWaiters.delete(frame.requestId);
        waiter?.(frame);
        return;
      }
    }
  }

  private readonly execWaiters = new Map<string, (f: ExecOutcome | null) => void>();

  /** Runs one command through the agent's SSH exec channel; null when the agent is offline or silent. */
  async exec(frame: Extract<EdgeFrame, { t: "exec.request" }>): Promise<ExecOutcome | null> {
    if (!this.send(frame)) return null;
    return new Promise((res) => {
      const timer = setTimeout(() => {
        this.execWaiters.delete(frame.requestId);
        res(null);
      }, frame.timeoutMs + EXEC_GRACE_MS);
      this.execWaiters.set(frame.requestId, (f) => {
        clearTimeout(timer);
        res(f);
      });
    });
  }

  /** The link is gone: the agent's live sessions wait for it (disconnected) within their grace window. */
  private async sessionsLost(a: AgentIdentity): Promise<void> {
    await withTenantDb(this.env, a.tenantId, async (db) => {
      const live = await db
        .select({ id: session.id })
        .from(session)
        .where(
          and(
            eq(session.agentId, a.agentId),
            eq(session.organizationId, a.tenantId),
            eq(session.status, "active"),
          ),
        );
      for (const { id } of live)
        await this.env.SESSION_ROOM.get(this.env.SESSION_ROOM.idFromName(id)).agentLost();
    }).catch((err) =>
      console.error(
        JSON.stringify({ level: "error", msg: "marking sessions lost failed", error: String(err) }),
      ),
    );
  }

  /** After a restart the agent holds no SSH connection for sessions still waiting for it: reopen them. */
  private async reopenSessions(a: AgentIdentity, held: string[]): Promise<void> {
    await withTenantDb(this.env, a.tenantId, async (db, tenant) => {
      const waiting = await db
        .select({ id: session.id })
        .from(session)
        .where(
          and(
            eq(session.agentId, a.agentId),
            eq(session.organizationId, a.tenantId),
            eq(session.status, "disconnected"),
          ),
        );
      for (const { id } of waiting) {
        if (held.includes(id)) continue;
        const room = this.env.SESSION_ROOM.get(this.env.SESSION_ROOM.idFromName(id));
        const prep = await room.prepareReopen();
        if (!prep) continue;
        try {
          this.send(await openFrame(this.env, db, tenant, { sessionUuid: id, ...prep }));
        } catch (err) {
          await room.agentEvent({
            t: "session.failed",
            sessionId: id,
            code: "INTERNAL",
            message: err instanceof Error ? err.message : "cannot reopen",
          });
        }
      }
    }).catch((err) =>
      console.error(JSON.stringify({ level: "error", msg: "reopen failed", error: String(err) })),
    );
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const a = ws.deserializeAttachment() as Attachment | null;
    if (!a) return;
    // A replaced link closes while the new one is already up: only the last one marks offline.
    const others = this.ctx.getWebSockets().filter((s) => s !== ws);
    if (others.length === 0 && code !== REPLACED_CLOSE_CODE) {
      await withDb(this.env, (db) => markConnected(db, a, false)).catch(logged("link state"));
      await this.sessionsLost(a);
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws, 1011);
  }

  /** Sends a frame to the agent; false when it is not connected. */
  send(frame: EdgeFrame): boolean {
    const [ws] = this.ctx.getWebSockets("agent");
    if (!ws) return false;
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
