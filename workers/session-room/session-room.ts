// SessionRoom: the single owner of one live remote session. It holds the agent's data socket and every
// viewer's socket, keeps the headless screen model (late joiners get the current screen first), decides
// who may type, batches output to viewers, writes the asciicast recording, and runs the seed's state
// machine: active → ended | disconnected → active (agent back within the grace window) | error.
// Sockets use the standard (non-hibernating) API on purpose: the screen model lives in memory; the last
// output is also kept in the object's storage so a restarted object rebuilds the screen. Viewer sockets
// are accepted through viewer-sockets.ts (when, and why).
import { DurableObject } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { auditLog } from "../../db/schema/tenant/audit-log.ts";
import { command } from "../../db/schema/tenant/command.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import type { AuditEventType } from "../../db/schema/tenant/enums.ts";
import { session } from "../../db/schema/tenant/session.ts";
import { sessionRecording } from "../../db/schema/tenant/session-recording.ts";
import { sessionViewer } from "../../db/schema/tenant/session-viewer.ts";
import { randomToken } from "../crypto/encoding.ts";
import type { Bindings } from "../env.ts";
import { KILLED_CLOSE_CODE, type LiveObject } from "../live/login-sockets.ts";
import { type Decision, evaluateCommand } from "../policy/index.ts";
import { loadCompiledPolicies } from "../policy-store.ts";
import { type ParticipantView, parseViewerFrame, type RoomFrame } from "../protocol/viewer.ts";
import { withTenantDb } from "../tenancy/standalone.ts";
import {
  type AgentIdentityClaim,
  AgentSide,
  type DataControlFrame,
  type SessionAgentEvent,
} from "./agent-socket.ts";
import { CommandTracker, type Typist } from "./command-tracker.ts";
import type { ExecutionGuard } from "./execution-guard.ts";
import { createGuard } from "./guard-host.ts";
import { droppedNotice, refuseInput } from "./input-gate.ts";
import { OscScanner } from "./osc-scanner.ts";
import { OutputOffset } from "./output-offset.ts";
import { OutputTail, TAIL_ROW_BYTES } from "./output-tail.ts";
import { FLUSH_EVERY_MS, Recorder, type RecordingState } from "./recorder.ts";
import { Screen } from "./screen.ts";
import { ViewerSocket } from "./viewer-sockets.ts";

export const GRACE_MS = 60_000;
export const POLICY_REFRESH_MS = 2_000;
export const POLICY_LOAD_TIMEOUT_MS = 5_000;
export const OUTPUT_BATCH_MS = 8;
export const OUTPUT_BATCH_BYTES = 256 * 1024;
const MAX_GARBAGE = 50;

export type RoomStatus = "connecting" | "active" | "disconnected" | "ended" | "error";

export interface RoomInit {
  sessionUuid: string;
  publicId: string;
  tenantId: string;
  connectionId: string;
  agentId: string;
  ownerId: string;
  ownerLoginId: string | null;
  cols: number;
  rows: number;
  dataTokenHash: string;
  idleTimeoutMs: number;
  record: boolean;
  recordingRetentionDays: number;
  shellIntegration: boolean;
  /** Authenticates the shell integration's marks (docs/execution-guard.md); absent in rooms made before it. */
  markKey?: string;
  approvalTimeoutMs: number;
  webhookUrl: string | null;
}

interface Meta extends RoomInit {
  status: RoomStatus;
  reason: string | null;
  startedAt: number;
  lastActivityAt: number;
  disconnectedAt: number | null;
  recording: RecordingState | null;
  errorCode: string | null;
}

export interface ViewerIdentity {
  userId: string;
  name: string;
  role: "owner" | "collaborator" | "viewer";
  canType: boolean;
  canSee: boolean;
  canShare: boolean;
  loginId: string | null;
  viewerRowId: string | null;
  roleId: string | null;
  /** May approve held commands (policies:manage). */
  canApprove: boolean;
}

interface Viewer extends ViewerIdentity {
  ws: ViewerSocket;
  garbage: number;
}

export const VERIFIED_VIEWER_HEADER = "x-nostromo-verified-viewer";

export class SessionRoom extends DurableObject<Bindings> implements LiveObject {
  private meta: Meta | null = null;
  private screen: Screen | null = null;
  private recorder: Recorder | null = null;
  private readonly agent: AgentSide;
  private readonly viewers = new Set<Viewer>();
  private pendingOut: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private recordTimer: ReturnType<typeof setTimeout> | null = null;
  private waiters: ((m: Meta) => void)[] = [];
  lastTypist: string | null = null;
  private readonly scanner = new OscScanner();
  private tracker: CommandTracker | null = null;
  private guard: ExecutionGuard | null = null;
  private lastOutput = 0;
  private lastFlushAt = 0;
  private dbQueue: Promise<unknown> = Promise.resolve();
  private readonly approvals = new Map<
    string,
    { line: string; typist: Typist; resolve: (ok: boolean) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly tail: OutputTail;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.tail = new OutputTail(ctx.storage.sql);
    this.agent = new AgentSide(new OutputOffset(ctx.storage.sql), {
      meta: () => this.meta,
      setStatus: (status, reason, code) => this.setStatus(status, reason, code),
      scheduleIdle: () => this.scheduleIdle(),
      output: (bytes) => this.onAgentOutput(bytes),
      flushOutput: () => this.flushOutput(),
      pinHostKey: (hostKey) =>
        this.tenantDb(async (db) => {
          const id = this.requireMeta().connectionId;
          await db
            .update(connection)
            .set({ hostKey })
            .where(and(eq(connection.id, id), sql`${connection.hostKey} is null`));
        }),
      save: () => this.save(),
      notice: (level, message, code) => this.broadcastJson({ t: "notice", level, message, code }),
      audit: (type, description, status, metadata) =>
        this.queueDb((db) => this.auditRow(db, type, description, status, null, metadata)),
      newShell: () => {
        // The reopened shell gets a new integration, with a new mark key.
        const markKey = randomToken(32);
        this.requireMeta().markKey = markKey;
        this.scanner.key = markKey;
        this.guard?.reset();
        return markKey;
      },
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.meta = (await ctx.storage.get<Meta>("meta")) ?? null;
      if (!this.meta) return;
      const screen = new Screen(this.meta.cols, this.meta.rows);
      this.screen = screen;
      this.tracker = this.makeTracker(screen);
      this.guard = this.makeGuard(this.meta);
      this.tail.restore((bytes) => screen.write(bytes));
      if (this.meta.recording)
        this.recorder = new Recorder(ctx.storage.sql, env.RECORDINGS, this.meta.recording);
    });
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────

  async init(init: RoomInit): Promise<void> {
    const now = Date.now();
    this.meta = {
      ...init,
      status: "connecting",
      reason: null,
      startedAt: now,
      lastActivityAt: now,
      disconnectedAt: null,
      recording: null,
      errorCode: null,
    };
    this.screen = new Screen(init.cols, init.rows);
    this.tracker = this.makeTracker(this.screen);
    this.guard = this.makeGuard(this.meta);
    if (init.record) await this.startRecording(init.ownerId);
    await this.save();
  }

  private async save(): Promise<void> {
    if (this.meta) {
      if (this.recorder) this.meta.recording = this.recorder.state;
      await this.ctx.storage.put("meta", this.meta);
    }
  }

  private tenantDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const m = this.requireMeta();
    return withTenantDb(this.env, m.tenantId, (db) => fn(db));
  }

  private requireMeta(): Meta {
    if (!this.meta) throw new Error("room not initialised");
    return this.meta;
  }

  /** Resolves once the session is active, or failed/ended, or after the timeout (status as it is). */
  async waitForOutcome(
    timeoutMs: number,
  ): Promise<{ status: RoomStatus; reason: string | null; code: string | null }> {
    const m = this.requireMeta();
    const done = (x: Meta) => ({ status: x.status, reason: x.reason, code: x.errorCode });
    if (m.status !== "connecting") return done(m);
    return new Promise((res) => {
      const timer = setTimeout(() => res(done(this.requireMeta())), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(timer);
        res(done(x));
      });
    });
  }

  private async setStatus(
    status: RoomStatus,
    reason: string | null,
    code: string | null = null,
  ): Promise<void> {
    const m = this.requireMeta();
    if (m.status === status && m.reason === reason) return;
    if (m.status === "ended" || m.status === "error") return;
    m.status = status;
    m.reason = reason;
    m.errorCode = code;
    m.disconnectedAt = status === "disconnected" ? Date.now() : null;
    await this.save();
    for (const w of this.waiters.splice(0)) w(m);
    this.broadcastJson({ t: "status", status, ...(reason ? { reason } : {}) });
    const dbStatus = status === "connecting" ? "active" : status;
    const final = status === "ended" || status === "error";
    const duration = Math.round((Date.now() - m.startedAt) / 1000);
    await this.tenantDb((db) =>
      db
        .update(session)
        .set({
          status: dbStatus,
          statusReason: reason,
          ...(final ? { endedAt: new Date(), durationSeconds: duration } : {}),
        })
        .where(eq(session.id, m.sessionUuid)),
    ).catch((err) =>
      console.error(
        JSON.stringify({ level: "error", msg: "session status write failed", error: String(err) }),
      ),
    );
    if (status === "disconnected") await this.ctx.storage.setAlarm(Date.now() + GRACE_MS);
    if (final) await this.finish();
  }

  /** Ends the session at once (DELETE, kill switch, idle timeout, auto-disconnect). */
  async end(reason: string, code: string | null = null): Promise<{ status: RoomStatus }> {
    const m = this.meta;
    if (!m) return { status: "ended" };
    if (m.status === "ended" || m.status === "error") return { status: m.status };
    this.sendToAgent({ t: "close", reason });
    await this.agentLink()
      .sendFrame({ t: "session.close", sessionId: m.sessionUuid, reason })
      .catch(() => false);
    await this.setStatus("ended", reason, code);
    return { status: "ended" };
  }

  private async finish(): Promise<void> {
    this.flushOutput();
    this.guard?.dispose();
    await this.stopRecording(null);
    for (const v of this.viewers) v.ws.close(1000, this.meta?.reason?.slice(0, 100) ?? "session over");
    this.agent.close(1000, "session over");
    await this.tenantDb((db) =>
      db
        .update(sessionViewer)
        .set({ isActive: false, leftAt: new Date() })
        .where(
          and(eq(sessionViewer.sessionId, this.requireMeta().sessionUuid), eq(sessionViewer.isActive, true)),
        ),
    ).catch(() => {});
    await this.ctx.storage.deleteAlarm();
  }

  override async alarm(): Promise<void> {
    const m = this.meta;
    if (!m) return;
    const now = Date.now();
    if (m.status === "disconnected" && m.disconnectedAt && now - m.disconnectedAt >= GRACE_MS) {
      await this.setStatus("error", "The agent did not come back within the grace window", "AGENT_LOST");
      return;
    }
    if (m.status === "active" && m.idleTimeoutMs > 0 && now - m.lastActivityAt >= m.idleTimeoutMs) {
      await this.end("Ended after the organization's idle timeout", "IDLE_TIMEOUT");
      return;
    }
    await this.scheduleIdle();
  }

  private async scheduleIdle(): Promise<void> {
    const m = this.meta;
    if (!m || m.idleTimeoutMs <= 0 || m.status !== "active") return;
    await this.ctx.storage.setAlarm(m.lastActivityAt + m.idleTimeoutMs);
  }

  // ── agent side ───────────────────────────────────────────────────────────────────────────────────

  private agentLink() {
    const m = this.requireMeta();
    return this.env.AGENT_LINK.get(this.env.AGENT_LINK.idFromName(m.agentId));
  }

  private get agentSocket(): WebSocket | null {
    return this.agent.socket;
  }

  /** Control-link events about this session, forwarded by the agent's AgentLink (`from`: the agent that
   * sent it) or made by the edge itself. False when refused: another agent may not act on this session. */
  async agentEvent(frame: SessionAgentEvent, from?: AgentIdentityClaim): Promise<boolean> {
    return this.agent.event(frame, from);
  }

  private sendToAgent(frame: DataControlFrame): void {
    this.agent.send(frame);
  }

  /** See AgentSide.prepareReopen. */
  async prepareReopen() {
    return this.agent.prepareReopen();
  }

  /** The agent's data socket or its control link dropped: wait for it within the grace window. */
  async agentLost(agentId?: string): Promise<void> {
    await this.agent.lost(agentId);
  }

  private onAgentOutput(bytes: Uint8Array): void {
    this.lastOutput = Date.now();
    this.pendingOut.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (this.pendingBytes >= OUTPUT_BATCH_BYTES) {
      this.flushOutput();
      return;
    }
    if (this.flushTimer) return;
    // Leading edge: output after a quiet spell (an echo, a prompt) goes out at once; what follows within
    // OUTPUT_BATCH_MS is coalesced into the next batch, so a busy session still costs each viewer at
    // most one frame per OUTPUT_BATCH_MS (or per OUTPUT_BATCH_BYTES).
    const since = Date.now() - this.lastFlushAt;
    if (since >= OUTPUT_BATCH_MS) this.flushOutput();
    else this.flushTimer = setTimeout(() => this.flushOutput(), OUTPUT_BATCH_MS - since);
  }

  /** One batch: screen model, durable tail, recording, then one frame per viewer. */
  private flushOutput(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingBytes === 0) return;
    this.lastFlushAt = Date.now();
    const raw = new Uint8Array(this.pendingBytes);
    let off = 0;
    for (const chunk of this.pendingOut) {
      raw.set(chunk, off);
      off += chunk.byteLength;
    }
    this.pendingOut = [];
    this.pendingBytes = 0;
    this.agent.offset.add(raw.byteLength);
    // Shell-integration marks are consumed here: the screen, the tail, the recording and the viewers see
    // the output without them; the tracker sees each mark exactly where it was.
    const pieces = this.scanner.scan(raw);
    const batch = pieces.length === 1 && !pieces[0]?.event ? (pieces[0]?.bytes ?? raw) : joinPieces(pieces);
    for (const piece of pieces) {
      if (piece.bytes.length) this.screen?.write(piece.bytes);
      this.tracker?.onOutput(piece.bytes, piece.event);
      if (piece.event) void this.guard?.onEvent(piece.event);
    }
    if (batch.byteLength === 0) return;
    try {
      this.tail.append(batch);
      // In slices: one asciicast line per slice stays far below the storage's row limit.
      for (let off = 0; this.recorder && off < batch.byteLength; off += TAIL_ROW_BYTES)
        this.recorder.output(batch.subarray(off, off + TAIL_ROW_BYTES));
    } catch (err) {
      this.agent.storageFailed(err);
      return;
    }
    if (this.recorder?.due) void this.flushRecording();
    for (const v of this.viewers) if (v.canSee) v.ws.send(batch);
  }

  // ── viewers ──────────────────────────────────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const m = this.meta;
    if (!m)
      return Response.json(
        { error: { code: "NOT_FOUND", message: "No such live session", requestId: "room" } },
        { status: 404 },
      );
    const url = new URL(request.url);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(
        { error: { code: "UPGRADE_REQUIRED", message: "WebSocket expected", requestId: "room" } },
        { status: 426 },
      );
    }
    if (m.status === "ended" || m.status === "error") {
      return Response.json(
        { error: { code: "INVALID_STATE", message: `The session is ${m.status}`, requestId: "room" } },
        { status: 409 },
      );
    }
    if (url.pathname.endsWith("/agent")) return this.agent.upgrade(request, m);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const who = JSON.parse(request.headers.get(VERIFIED_VIEWER_HEADER) ?? "null") as ViewerIdentity | null;
    if (!who) return new Response("not routed through the Worker", { status: 400 });
    const v: Viewer = { ...who, ws: new ViewerSocket(server), garbage: 0 };
    this.viewers.add(v);
    v.ws.open({
      opened: () => this.viewerOpened(v),
      message: (data) => void this.onViewerMessage(v, data),
      closed: () => void this.onViewerClose(v),
    });
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The viewer's socket is accepted (viewer-sockets.ts): hello, the current screen, presence. */
  private async viewerOpened(v: Viewer): Promise<void> {
    const m = this.requireMeta();
    this.sendJson(v, {
      t: "hello",
      you: { userId: v.userId, role: v.role, canType: v.canType, canSee: v.canSee, canShare: v.canShare },
      session: {
        id: m.sessionUuid,
        publicId: m.publicId,
        status: m.status,
        cols: m.cols,
        rows: m.rows,
        recording: Boolean(this.recorder),
      },
    });
    if (v.canSee && this.screen) {
      // The current screen first: everything already written is parsed before it is serialised, and no
      // live batch can reach this viewer before the snapshot (batches are sent after this returns).
      this.flushOutput();
      this.sendJson(v, {
        t: "snapshot",
        data: await this.screen.snapshot(),
        cols: this.screen.cols,
        rows: this.screen.rows,
      });
    }
    this.broadcastPresence();
  }

  private async onViewerMessage(v: Viewer, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") {
      this.input(v, new Uint8Array(data));
      return;
    }
    const parsed = parseViewerFrame(data);
    if (!parsed.ok) {
      v.garbage += 1;
      this.sendJson(v, { t: "error", code: "BAD_FRAME", message: parsed.error });
      if (v.garbage > MAX_GARBAGE) v.ws.close(1008, "too many malformed frames");
      return;
    }
    const f = parsed.msg;
    switch (f.t) {
      case "input":
        this.input(v, new TextEncoder().encode(f.data));
        return;
      case "resize":
        if (v.role !== "owner") {
          this.sendJson(v, { t: "error", code: "FORBIDDEN", message: "The terminal size follows the owner" });
          return;
        }
        await this.resize(f.cols, f.rows);
        return;
      case "set-role":
      case "set-typing":
        if (v.role !== "owner" && !v.canShare) {
          this.sendJson(v, { t: "error", code: "FORBIDDEN", message: "Only the owner manages participants" });
          return;
        }
        await this.updateParticipant(
          f.userId,
          f.t === "set-role" ? { role: f.role } : { canType: f.canType },
        );
        return;
      case "approve": {
        const r = await this.decideApproval(f.commandId, f.approve, {
          userId: v.userId,
          name: v.name,
          canApprove: v.canApprove,
        });
        if (!r.ok) this.sendJson(v, { t: "error", code: r.code, message: r.message });
        return;
      }
      case "ping":
        this.sendJson(v, { t: "pong" });
        return;
    }
  }

  private input(v: Viewer, bytes: Uint8Array): void {
    const m = this.requireMeta();
    if (!v.canType) {
      this.sendJson(v, {
        t: "error",
        code: "FORBIDDEN",
        message: "You may watch but not type in this session",
      });
      return;
    }
    if (m.status !== "active" || !this.agentSocket) {
      this.sendJson(v, { t: "error", code: "INVALID_STATE", message: `The session is ${m.status}` });
      return;
    }
    const refused = refuseInput(bytes.length, this.tracker?.backlog ?? 0);
    if (refused) {
      this.sendJson(v, refused);
      return;
    }
    this.lastTypist = v.userId;
    m.lastActivityAt = Date.now();
    if (this.approvals.size > 0) {
      this.sendJson(v, { t: "error", code: "INVALID_STATE", message: "A command is waiting for approval" });
      return;
    }
    const typist = { userId: v.userId, roleId: v.roleId, name: v.name };
    if (this.guard) this.guard.typist = typist;
    void this.tracker?.input(bytes, typist);
  }

  async resize(cols: number, rows: number): Promise<void> {
    const m = this.requireMeta();
    m.cols = cols;
    m.rows = rows;
    this.flushOutput();
    this.screen?.resize(cols, rows);
    this.recorder?.resize(cols, rows);
    this.sendToAgent({ t: "resize", cols, rows });
    this.broadcastJson({ t: "resize", cols, rows });
    await this.save();
    await this.tenantDb((db) =>
      db.update(session).set({ cols, rows }).where(eq(session.id, m.sessionUuid)),
    ).catch(() => {});
  }

  async updateParticipant(
    userId: string,
    change: { role?: "collaborator" | "viewer"; canType?: boolean },
  ): Promise<number> {
    let n = 0;
    for (const v of this.viewers) {
      if (v.userId !== userId || v.role === "owner") continue;
      if (change.role) {
        v.role = change.role;
        v.canType =
          change.role === "collaborator" && v.canType !== false
            ? true
            : change.role === "viewer"
              ? false
              : v.canType;
      }
      if (change.canType !== undefined) v.canType = change.canType;
      n += 1;
      this.sendJson(v, {
        t: "notice",
        level: "info",
        message: `You are now ${v.role}${v.canType ? " and may type" : ""}`,
      });
    }
    this.broadcastPresence();
    return n;
  }

  private async onViewerClose(v: Viewer): Promise<void> {
    this.viewers.delete(v);
    this.broadcastPresence();
    const stillHere = [...this.viewers].some((x) => x.userId === v.userId);
    if (!stillHere && v.viewerRowId) {
      await this.tenantDb((db) =>
        db
          .update(sessionViewer)
          .set({ isActive: false, leftAt: new Date() })
          .where(eq(sessionViewer.id, v.viewerRowId as string)),
      ).catch(() => {});
    }
  }

  participants(): ParticipantView[] {
    const byUser = new Map<string, ParticipantView>();
    for (const v of this.viewers) {
      const p = byUser.get(v.userId);
      if (p) p.connections += 1;
      else
        byUser.set(v.userId, {
          userId: v.userId,
          name: v.name,
          role: v.role,
          canType: v.canType,
          canSee: v.canSee,
          canShare: v.canShare,
          connections: 1,
        });
    }
    return [...byUser.values()];
  }

  private broadcastPresence(): void {
    this.broadcastJson({ t: "presence", participants: this.participants() });
  }

  private sendJson(v: Viewer, frame: RoomFrame): void {
    v.ws.send(JSON.stringify(frame));
  }

  broadcastJson(frame: RoomFrame): void {
    const text = JSON.stringify(frame);
    for (const v of this.viewers) v.ws.send(text);
  }

  async closeLogin(loginId: string, reason: string): Promise<number> {
    let n = 0;
    for (const v of [...this.viewers]) {
      if (v.loginId !== loginId) continue;
      v.ws.close(KILLED_CLOSE_CODE, reason.slice(0, 100));
      n += 1;
    }
    return n;
  }

  async snapshotForTest(): Promise<{ status: RoomStatus; screen: string; viewers: number }> {
    const m = this.requireMeta();
    return { status: m.status, screen: (await this.screen?.snapshot()) ?? "", viewers: this.viewers.size };
  }

  // ── commands ─────────────────────────────────────────────────────────────────────────────────────

  /** Database writes of command records, in order and off the keystroke path. */
  private queueDb(fn: (db: Db) => Promise<unknown>): void {
    this.dbQueue = this.dbQueue
      .then(() => this.tenantDb(fn))
      .catch((err) =>
        console.error(
          JSON.stringify({ level: "error", msg: "command record write failed", error: String(err) }),
        ),
      );
  }

  private auditRow(
    db: Db,
    type: AuditEventType,
    description: string,
    status: "success" | "failure" | "warning",
    userId: string | null,
    metadata: Record<string, unknown>,
  ) {
    const m = this.requireMeta();
    const category = type.startsWith("policy.") || type.startsWith("security.") ? "security" : "session";
    return db.insert(auditLog).values({
      organizationId: m.tenantId,
      userId,
      sessionId: m.sessionUuid,
      connectionId: m.connectionId,
      eventType: type,
      eventCategory: category,
      action: type.split(".").pop() ?? type,
      description: description.slice(0, 1000),
      metadata: { ...metadata, publicId: m.publicId },
      status,
    });
  }

  private policyCache: { compiled: Awaited<ReturnType<typeof loadCompiledPolicies>>; at: number } | null =
    null;

  /** The organization's compiled policies: re-read at most every POLICY_REFRESH_MS, with a bounded wait;
   * when the store cannot be reached the last known set is used, and with none the session fails closed. */
  private async compiledPolicies() {
    const m = this.requireMeta();
    const cached = this.policyCache;
    if (cached && Date.now() - cached.at < POLICY_REFRESH_MS) return cached.compiled;
    try {
      const compiled = await Promise.race([
        this.tenantDb((db) => loadCompiledPolicies(db, m.tenantId)),
        new Promise<never>((_, rej) =>
          setTimeout(() => rej(new Error("policy store timeout")), POLICY_LOAD_TIMEOUT_MS),
        ),
      ]);
      this.policyCache = { compiled, at: Date.now() };
      return compiled;
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "policies unavailable", error: String(err) }));
      if (cached) return cached.compiled;
      throw err;
    }
  }

  private sendRaw(bytes: Uint8Array): void {
    try {
      this.agentSocket?.send(bytes);
    } catch {
      // the agent is gone; the state machine handles it
    }
  }

  private async evaluateLine(line: string, typist: Typist): Promise<Decision> {
    const m = this.requireMeta();
    const compiled = await this.compiledPolicies();
    return evaluateCommand(compiled, line, {
      roleId: typist.roleId,
      connectionId: m.connectionId,
      connectionType: "ssh",
    });
  }

  /** The execution guard (execution-guard.ts); this room only lends it its ports. */
  private makeGuard(m: Meta): ExecutionGuard {
    return createGuard({
      scanner: this.scanner,
      markKey: m.markKey ?? null,
      owner: { userId: m.ownerId, roleId: null, name: "owner" },
      forward: (bytes) => this.sendRaw(bytes),
      released: () => this.tracker?.sent(),
      evaluate: (line, typist) => this.evaluateLine(line, typist),
      blocked: (line, typist, d, reason) => this.onBlocked(line, typist, d, reason),
      record: (line, typist, d) => this.recordCommand(line, typist, d),
      follow: (id) => this.tracker?.adopt(id),
      queueDb: (fn) => this.queueDb(fn),
      auditRow: (db, type, description, status, userId, metadata) =>
        this.auditRow(db, type, description, status, userId, metadata),
      notice: (message, code) => this.broadcastJson({ t: "notice", level: "error", code, message }),
      end: (reason, code) => this.end(reason, code),
      connected: () => this.agentSocket !== null,
    });
  }

  private makeTracker(screen: Screen): CommandTracker {
    return new CommandTracker({
      screen,
      // Through the guard: input typed behind an approved Enter waits for the shell's verdict.
      forward: (bytes) => {
        if (this.guard) return this.guard.input(bytes);
        this.sendRaw(bytes);
        return true;
      },
      lastOutputAt: () => this.lastOutput,
      evaluate: (line, typist) => this.evaluateLine(line, typist),
      started: async (line, typist, d) => {
        const id = this.recordCommand(line, typist, d);
        this.guard?.approvedLine(line, typist, id);
        return id;
      },
      finished: async (id, r) => {
        this.queueDb(async (db) => {
          await db
            .update(command)
            .set({
              exitCode: r.exitCode,
              output: r.output,
              outputTruncated: r.truncated,
              durationMs: r.durationMs,
              status: r.exitCode === null || r.exitCode === 0 ? "executed" : "error",
            })
            .where(eq(command.id, id));
          const [row] = await db
            .select({ line: command.command, userId: command.userId })
            .from(command)
            .where(eq(command.id, id));
          await this.auditRow(
            db,
            r.exitCode === null || r.exitCode === 0 ? "command.executed" : "command.failed",
            `${row?.line ?? "command"} → ${r.exitCode ?? "?"}`,
            r.exitCode === null || r.exitCode === 0 ? "success" : "failure",
            row?.userId ?? null,
            { commandId: id, exitCode: r.exitCode, durationMs: r.durationMs },
          );
        });
      },
      blocked: async (line, typist, d, reason) => this.onBlocked(line, typist, d, reason),
      approval: (line, typist, d) => this.requestApproval(line, typist, d),
      dropped: (typist, bytes) => {
        for (const v of this.viewers) if (v.userId === typist.userId) this.sendJson(v, droppedNotice(bytes));
      },
    });
  }

  /** The COMMAND row of an allowed command (the tracker's, or the guard's for a line nobody recorded). */
  private recordCommand(line: string, typist: Typist, d: Decision): string {
    const m = this.requireMeta();
    const id = crypto.randomUUID();
    this.queueDb(async (db) => {
      await db.insert(command).values({
        id,
        sessionId: m.sessionUuid,
        userId: typist.userId,
        organizationId: m.tenantId,
        command: line,
        commandType: d.commandType,
        status: "executed",
        riskLevel: d.riskLevel,
        policyId: d.rule?.policyId ?? null,
        source: "interactive",
      });
      await db
        .update(session)
        .set({
          totalCommands: sql`${session.totalCommands} + 1`,
          safeCommands: sql`${session.safeCommands} + 1`,
        })
        .where(eq(session.id, m.sessionUuid));
    });
    return id;
  }

  private async onBlocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void> {
    const m = this.requireMeta();
    const rule = d.rule?.name ?? d.policy?.name ?? null;
    this.broadcastJson({
      t: "notice",
      level: "error",
      code: "COMMAND_BLOCKED",
      message: `Blocked${rule ? ` by "${rule}"` : ""}: ${line.slice(0, 200)}`,
      data: { rule, severity: d.severity, typist: typist.userId, reason },
    });
    this.queueDb(async (db) => {
      const [row] = await db
        .insert(command)
        .values({
          sessionId: m.sessionUuid,
          userId: typist.userId,
          organizationId: m.tenantId,
          command: line,
          commandType: d.commandType,
          status: "blocked",
          riskLevel: d.riskLevel,
          wasBlocked: true,
          blockedReason: reason.slice(0, 1000),
          policyId: d.rule?.policyId ?? d.policy?.id ?? null,
          source: "interactive",
        })
        .returning({ id: command.id });
      await db
        .update(session)
        .set({
          totalCommands: sql`${session.totalCommands} + 1`,
          blockedCommands: sql`${session.blockedCommands} + 1`,
        })
        .where(eq(session.id, m.sessionUuid));
      const meta = { commandId: row?.id, rule: d.rule, decision: d.decision, command: line.slice(0, 500) };
      await this.auditRow(
        db,
        "command.blocked",
        `Blocked: ${line.slice(0, 200)}`,
        "failure",
        typist.userId,
        meta,
      );
      await this.auditRow(db, "policy.violation", reason, "warning", typist.userId, meta);
      if (d.notify)
        await this.auditRow(
          db,
          "security.alert",
          `Policy violation in ${m.publicId}: ${line.slice(0, 200)}`,
          "warning",
          typist.userId,
          meta,
        );
    });
    if (d.notify && m.webhookUrl) {
      void fetch(m.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          event: "policy.violation",
          session: m.publicId,
          command: line,
          rule,
          severity: d.severity,
          user: typist.userId,
          at: new Date().toISOString(),
        }),
      }).catch(() => {});
    }
    if (d.autoDisconnect)
      await this.end(
        `Auto-disconnected after a policy violation${rule ? ` (${rule})` : ""}`,
        "POLICY_VIOLATION",
      );
  }

  private requestApproval(line: string, typist: Typist, d: Decision): Promise<boolean> {
    const m = this.requireMeta();
    const commandId = crypto.randomUUID();
    const expiresAt = Date.now() + m.approvalTimeoutMs;
    this.broadcastJson({
      t: "approval",
      commandId,
      command: line,
      typist: { userId: typist.userId, name: typist.name },
      rule: d.rule?.name ?? d.policy?.name ?? null,
      expiresAt,
    });
    this.queueDb((db) =>
      this.auditRow(
        db,
        "command.approval.requested",
        `Approval requested: ${line.slice(0, 200)}`,
        "warning",
        typist.userId,
        { commandId, rule: d.rule },
      ),
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.approvals.delete(commandId);
        this.broadcastJson({ t: "approval-result", commandId, approved: false, by: null });
        resolve(false);
      }, m.approvalTimeoutMs);
      this.approvals.set(commandId, { line, typist, resolve, timer });
    });
  }

  async decideApproval(
    commandId: string,
    approve: boolean,
    who: { userId: string; name: string; canApprove: boolean },
  ): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const a = this.approvals.get(commandId);
    if (!a) return { ok: false, code: "NOT_FOUND", message: "No command awaits approval with that id" };
    if (!who.canApprove) return { ok: false, code: "FORBIDDEN", message: "You may not approve commands" };
    if (who.userId === a.typist.userId)
      return { ok: false, code: "FORBIDDEN", message: "A command needs someone else's approval" };
    this.approvals.delete(commandId);
    clearTimeout(a.timer);
    this.broadcastJson({ t: "approval-result", commandId, approved: approve, by: who.name });
    this.queueDb((db) =>
      this.auditRow(
        db,
        approve ? "command.approval.granted" : "command.approval.denied",
        `${who.name} ${approve ? "approved" : "denied"}: ${a.line.slice(0, 200)}`,
        approve ? "success" : "failure",
        who.userId,
        { commandId, typist: a.typist.userId },
      ),
    );
    a.resolve(approve);
    return { ok: true };
  }

  /** Waits for queued command writes (tests, end of session). */
  async drainCommandWrites(): Promise<void> {
    await this.dbQueue;
  }

  // ── recording ────────────────────────────────────────────────────────────────────────────────────

  async setRecording(on: boolean, by: string): Promise<{ recording: boolean; recordingId: string | null }> {
    if (on && !this.recorder) await this.startRecording(by);
    if (!on && this.recorder) await this.stopRecording(by);
    await this.save();
    this.broadcastJson({
      t: "notice",
      level: "info",
      message: on ? "Recording started" : "Recording stopped",
    });
    return { recording: Boolean(this.recorder), recordingId: this.recorder?.state.id ?? null };
  }

  private async startRecording(_by: string): Promise<void> {
    const m = this.requireMeta();
    const id = crypto.randomUUID();
    const prefix = `recordings/${m.tenantId}/${m.sessionUuid}/${id}`;
    this.recorder = Recorder.start(
      this.ctx.storage.sql,
      this.env.RECORDINGS,
      id,
      prefix,
      m.cols,
      m.rows,
      m.publicId,
    );
    const retention = new Date(Date.now() + m.recordingRetentionDays * 86_400_000);
    await this.tenantDb(async (db) => {
      await db.insert(sessionRecording).values({
        id,
        sessionId: m.sessionUuid,
        organizationId: m.tenantId,
        fileUrl: `r2://${prefix}/`,
        fileName: `${m.publicId}.cast`,
        resolution: `${m.cols}x${m.rows}`,
        status: "processing",
        retentionUntil: retention,
      });
      await db
        .update(session)
        .set({ isRecording: true, recordingUrl: `/api/recordings/${id}/download` })
        .where(eq(session.id, m.sessionUuid));
    });
    this.scheduleRecordingFlush();
  }

  private scheduleRecordingFlush(): void {
    if (this.recordTimer) return;
    this.recordTimer = setTimeout(() => {
      this.recordTimer = null;
      void this.flushRecording().then(() => {
        if (this.recorder) this.scheduleRecordingFlush();
      });
    }, FLUSH_EVERY_MS);
  }

  private async flushRecording(): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    await r.flush();
    await this.save();
  }

  private async stopRecording(_by: string | null): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    this.recorder = null;
    if (this.recordTimer) clearTimeout(this.recordTimer);
    this.recordTimer = null;
    await r.flush();
    const m = this.requireMeta();
    m.recording = null;
    const duration = r.durationSeconds;
    await this.tenantDb(async (db) => {
      await db
        .update(sessionRecording)
        .set({
          status: "ready",
          fileSizeBytes: r.state.bytes,
          durationSeconds: duration,
          chunkCount: r.state.chunks,
        })
        .where(eq(sessionRecording.id, r.state.id));
      await db
        .update(session)
        .set({
          isRecording: false,
          recordingSizeBytes: sql`coalesce(${session.recordingSizeBytes}, 0) + ${r.state.bytes}`,
        })
        .where(eq(session.id, m.sessionUuid));
    }).catch((err) =>
      console.error(JSON.stringify({ level: "error", msg: "recording finalise failed", error: String(err) })),
    );
  }
}

function joinPieces(pieces: { bytes: Uint8Array }[]): Uint8Array {
  const n = pieces.reduce((a, p) => a + p.bytes.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of pieces) {
    out.set(p.bytes, o);
    o += p.bytes.byteLength;
  }
  return out;
}
