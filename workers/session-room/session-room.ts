// SessionRoom: the single owner of one live remote session (one Durable Object per session). This class
// only wires its parts and implements the object's entry points (fetch, alarm, RPC); docs/session-room.md
// maps each concern to its file:
//   lifecycle.ts        the room's record and the state machine (active → ended | disconnected → active | error)
//   agent-socket.ts     the agent's data socket and control-link events
//   output-pipeline.ts  batching, the shell-integration scan, the screen model, fan-out to viewers
//   participants.ts     viewers' sockets, who may type, hand-over, presence
//   enforcement.ts      the command tracker, the execution guard, approvals, alerts
//   room-recording.ts   the asciicast recording (recorder.ts writes it)
//   viewer-door.ts      which part takes a socket the Worker routed here (or a relay ticket)
//   byte-relays.ts      a session that is not a shell: tunnel-relay.ts a TCP tunnel's streams; rdp-relay.ts
//                       an RDP session's bytes; vnc-relay.ts a VNC session's (one RFB stream per browser)
//   room-store.ts       every SQL statement the room runs
// Sockets use the standard (non-hibernating) API on purpose: the screen model lives in memory; the last
// output is also kept in the object's storage so a restarted object rebuilds the screen.
import { DurableObject } from "cloudflare:workers";
import { randomToken } from "@nostromo/crypto";
import type { ParticipantView, RoomFrame } from "@nostromo/protocol";
import type { Bindings } from "../env.ts";
import type { LiveObject } from "../live/login-sockets.ts";
import { LOCATION_HINT_HEADER, parseLocationHint } from "../viewer-relay/placement.ts";
import { type AgentIdentityClaim, AgentSide, type SessionAgentEvent } from "./agent-socket.ts";
import { ByteRelays } from "./byte-relays.ts";
import { Enforcement } from "./enforcement.ts";
import { type Meta, type Outcome, type RoomInit, RoomLifecycle, type RoomStatus } from "./lifecycle.ts";
import { OutputOffset } from "./output-offset.ts";
import { OutputPipeline } from "./output-pipeline.ts";
import { OutputTail } from "./output-tail.ts";
import {
  type ApprovalAnswer,
  Participants,
  VERIFIED_VIEWER_HEADER,
  type ViewerIdentity,
} from "./participants.ts";
import { RelayTier } from "./relay-tier.ts";
import { RoomRecording } from "./room-recording.ts";
import { RoomStore } from "./room-store.ts";
import { Screen } from "./screen.ts";
import { roomTrace, type Trace } from "./trace.ts";
import type { TunnelStats } from "./tunnel-relay.ts";
import { openViewerSocket, roomError } from "./viewer-door.ts";

// The Worker routes viewers with this header (workers/routes/remote-sessions).
export { VERIFIED_VIEWER_HEADER, type ViewerIdentity } from "./participants.ts";

export class SessionRoom extends DurableObject<Bindings> implements LiveObject {
  private screen: Screen | null = null;
  private readonly lifecycle: RoomLifecycle;
  private readonly store: RoomStore;
  private readonly agent: AgentSide;
  private readonly output: OutputPipeline;
  private readonly viewers: Participants;
  private readonly relayTier: RelayTier;
  private readonly enforcement: Enforcement;
  private readonly recording: RoomRecording;
  private readonly byteRelays: ByteRelays;
  private readonly trace: Trace;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.trace = roomTrace(env, ctx.storage);
    const meta = () => this.lifecycle.require();
    this.store = new RoomStore(env, meta);
    this.lifecycle = new RoomLifecycle({
      storage: ctx.storage,
      store: this.store,
      recording: () => this.recording.state,
      broadcast: (frame) => this.viewers.broadcastJson(frame),
      closeShell: async (reason) => {
        this.agent.send({ t: "close", reason });
        await this.agentLink()
          .sendFrame({ t: "session.close", sessionId: meta().sessionUuid, reason })
          .catch(() => false);
      },
      release: async () => {
        this.output.flush();
        this.enforcement.dispose();
        await this.recording.stop();
        const kind = this.lifecycle.meta?.kind;
        if (kind) this.byteRelays.close(kind, this.lifecycle.meta?.reason ?? "session over");
        this.viewers.closeAll(this.lifecycle.meta?.reason?.slice(0, 100) ?? "session over");
        this.relayTier.closeAll(this.lifecycle.meta?.reason?.slice(0, 100) ?? "session over");
        this.agent.close(1000, "session over");
      },
    });
    this.recording = new RoomRecording({
      sql: ctx.storage.sql,
      bucket: env.RECORDINGS,
      store: this.store,
      subject: meta,
      save: () => this.lifecycle.save(),
      stopped: () => {
        meta().recording = null;
      },
      streamRecorded: (on) => this.byteRelays.vnc.record(on),
    });
    // Read-only watchers past a threshold go through ViewerRelays (relay-tier.ts, docs/fan-out.md).
    this.relayTier = new RelayTier(env, {
      meta,
      screen: () => this.screen,
      recording: () => this.recording.active,
      flushOutput: () => this.output.flush(),
      pendingApprovals: () => this.enforcement.pendingApprovals(),
      participants: () => this.viewers,
      leftRow: (rowId) => void this.store.viewerLeft(rowId).catch(() => {}),
    });
    this.viewers = new Participants({
      relayed: this.relayTier,
      meta,
      screen: () => this.screen,
      recording: () => this.recording.active,
      flushOutput: () => this.output.flush(),
      input: (v, bytes) => this.input(v, bytes),
      resize: (cols, rows) => this.resize(cols, rows),
      decideApproval: (id, approve, who) => this.enforcement.decideApproval(id, approve, who),
      pendingApprovals: () => this.enforcement.pendingApprovals(),
      rightsChanged: async (rowId, rights, who, by) => {
        await this.store
          .viewerRights(rowId, rights)
          .catch((err) =>
            console.error(
              JSON.stringify({ level: "error", msg: "viewer rights write failed", error: String(err) }),
            ),
          );
        if (by)
          this.store.audit(
            "session.shared",
            `${by.name} made ${who.name} a ${rights.role}${rights.canType ? " who may type" : " who may not type"} of ${this.lifecycle.meta?.publicId ?? "the session"}`,
            "success",
            by.userId,
            { userId: who.userId, role: rights.role, canType: rights.canType, via: "socket" },
          );
      },
      left: async (rowId) => {
        await this.store.viewerLeft(rowId).catch(() => {});
      },
    });
    this.agent = new AgentSide(new OutputOffset(ctx.storage.sql), {
      meta: () => this.lifecycle.meta,
      setStatus: (status, reason, code, exitCode) => this.lifecycle.setStatus(status, reason, code, exitCode),
      scheduleIdle: () => this.lifecycle.scheduleIdle(),
      output: (bytes) => this.output.push(bytes),
      flushOutput: () => this.output.flush(),
      pinHostKey: async (hostKey) => {
        await this.store.pinHostKey(hostKey);
      },
      save: () => this.lifecycle.save(),
      notice: (level, message, code) => this.viewers.broadcastJson({ t: "notice", level, message, code }),
      audit: (type, description, status, metadata) =>
        this.store.audit(type, description, status, null, metadata),
      newShell: () => {
        // The reopened shell gets a new integration, with a new mark key.
        const markKey = randomToken(32);
        meta().markKey = markKey;
        this.enforcement.newShell(markKey);
        return markKey;
      },
      tunnelAgent: (ws) => this.byteRelays.attachAgent(meta().kind ?? "tunnel", ws),
    });
    this.byteRelays = new ByteRelays({
      publicId: () => meta().publicId,
      ready: () => void this.lifecycle.setStatus("active", null).then(() => this.lifecycle.scheduleIdle()),
      failed: (code: string, message: string) => void this.lifecycle.setStatus("error", message, code),
      touched: () => {
        if (this.lifecycle.meta) this.lifecycle.meta.lastActivityAt = Date.now();
      },
      end: (reason, code) => void this.end(reason, code ?? null),
      audit: (type, description, status, metadata) =>
        this.store.audit(type, description, status, null, metadata),
      clipboard: () => meta().clipboard !== false,
      rdpPicture: (bytes) => this.recording.picture(bytes, false),
      rdpClient: (facts) => this.recording.client(facts),
      vncPicture: (bytes, first) => this.recording.picture(bytes, first),
      vncFrame: () => this.recording.frame(),
    });
    const tail = new OutputTail(ctx.storage.sql);
    this.output = new OutputPipeline(this.trace, tail, {
      screen: () => this.screen,
      counted: (bytes) => this.agent.offset.add(bytes),
      piece: (bytes, event) => this.enforcement.onOutput(bytes, event),
      record: (batch) => this.recording.output(batch),
      storageFailed: (err) => this.agent.storageFailed(err),
      fanOut: (batch) => {
        this.viewers.fanOut(batch);
        this.relayTier.fanOut(batch);
      },
    });
    this.enforcement = new Enforcement({
      meta,
      store: this.store,
      scanner: this.output.scanner,
      sendRaw: (bytes) => this.sendRaw(bytes),
      connected: () => this.agent.socket !== null,
      lastOutputAt: () => this.output.lastOutputAt,
      broadcast: (frame) => this.viewers.broadcastJson(frame),
      sendToUser: (userId, frame) => this.viewers.sendToUser(userId, frame),
      end: (reason, code) => this.end(reason, code),
    });
    void ctx.blockConcurrencyWhile(async () => {
      const m = await this.lifecycle.restore();
      if (!m || m.kind) return;
      const screen = this.open(m);
      tail.restore((bytes) => screen.write(bytes));
      if (m.recording) this.recording.restore(m.recording);
    });
  }

  /** The screen model and the judges of what is typed on it, for a new or a restarted room. */
  private open(m: Meta): Screen {
    const screen = new Screen(m.cols, m.rows);
    this.screen = screen;
    this.enforcement.attach(screen, m);
    return screen;
  }

  private agentLink() {
    const m = this.lifecycle.require();
    return this.env.AGENT_LINK.get(this.env.AGENT_LINK.idFromName(m.agentId));
  }

  private sendRaw(bytes: Uint8Array): void {
    this.trace?.("room.toAgent");
    try {
      this.agent.socket?.send(bytes);
    } catch {
      // the agent is gone; the state machine handles it
    }
  }

  /** What a viewer allowed to type sends: refused unless the session is live and its agent connected. */
  private input(v: ViewerIdentity, bytes: Uint8Array): RoomFrame | null {
    this.trace?.("room.in");
    const m = this.lifecycle.require();
    if (m.status !== "active" || !this.agent.socket)
      return { t: "error", code: "INVALID_STATE", message: `The session is ${m.status}` };
    const typist = { userId: v.userId, roleId: v.roleId, name: v.name };
    return this.enforcement.input(bytes, typist, () => {
      m.lastActivityAt = Date.now();
    });
  }

  // ── entry points ─────────────────────────────────────────────────────────────────────────────────

  async init(init: RoomInit): Promise<void> {
    const m = this.lifecycle.create(init);
    if (!m.kind) this.open(m);
    if (init.record) await this.recording.set(true);
    await this.lifecycle.save();
  }

  override async fetch(request: Request): Promise<Response> {
    const m = this.lifecycle.meta;
    if (!m) return roomError("NOT_FOUND", "No such live session", 404);
    const url = new URL(request.url);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return roomError("UPGRADE_REQUIRED", "WebSocket expected", 426);
    if (m.status === "ended" || m.status === "error")
      return roomError("INVALID_STATE", `The session is ${m.status}`, 409);
    if (url.pathname.endsWith("/agent")) return this.agent.upgrade(request, m);
    const who = JSON.parse(request.headers.get(VERIFIED_VIEWER_HEADER) ?? "null") as ViewerIdentity | null;
    if (!who) return new Response("not routed through the Worker", { status: 400 });
    const parts = { viewers: this.viewers, relayTier: this.relayTier, byteRelays: this.byteRelays };
    // The viewer's region, set by the Worker from `request.cf` (a client cannot name one).
    const hint = parseLocationHint(request.headers.get(LOCATION_HINT_HEADER));
    return openViewerSocket(parts, m.kind, url.pathname, who, hint);
  }

  override async alarm(): Promise<void> {
    await this.lifecycle.alarm();
  }

  /** Resolves once the session is active, or failed/ended, or after the timeout (status as it is). */
  waitForOutcome(timeoutMs: number): Promise<Outcome> {
    return this.lifecycle.waitForOutcome(timeoutMs);
  }

  /** Ends the session at once (DELETE, kill switch, idle timeout, auto-disconnect). */
  end(reason: string, code: string | null = null): Promise<{ status: RoomStatus }> {
    return this.lifecycle.end(reason, code);
  }

  /** Control-link events about this session, forwarded by the agent's AgentLink (`from`: the agent that
   * sent it) or made by the edge itself. False when refused: another agent may not act on this session. */
  agentEvent(frame: SessionAgentEvent, from?: AgentIdentityClaim): Promise<boolean> {
    return this.agent.event(frame, from);
  }

  /** See AgentSide.prepareReopen. */
  prepareReopen() {
    return this.agent.prepareReopen();
  }

  /** The agent's data socket or its control link dropped: wait for it within the grace window. */
  agentLost(agentId?: string): Promise<void> {
    return this.agent.lost(agentId);
  }

  async resize(cols: number, rows: number): Promise<void> {
    const m = this.lifecycle.require();
    m.cols = cols;
    m.rows = rows;
    this.output.flush();
    this.screen?.resize(cols, rows);
    this.recording.resize(cols, rows);
    this.agent.send({ t: "resize", cols, rows });
    this.viewers.broadcastJson({ t: "resize", cols, rows });
    await this.lifecycle.save();
    await this.store.resized(cols, rows).catch(() => {});
  }

  updateParticipant(
    userId: string,
    change: { role?: "collaborator" | "viewer"; canType?: boolean },
  ): Promise<number> {
    if (this.lifecycle.meta?.kind === "vnc")
      return Promise.resolve(this.byteRelays.vnc.update(userId, change));
    return this.viewers.update(userId, change);
  }

  /** The commands held for approval now, as their `approval` frames. */
  pendingApprovals(): RoomFrame[] {
    return this.enforcement.pendingApprovals();
  }

  participants(): ParticipantView[] {
    return this.lifecycle.meta?.kind === "vnc" ? this.byteRelays.vnc.list() : this.viewers.list();
  }

  broadcastJson(frame: RoomFrame): void {
    this.viewers.broadcastJson(frame);
  }

  async closeLogin(loginId: string, reason: string): Promise<number> {
    return (
      this.viewers.closeLogin(loginId, reason) +
      this.relayTier.closeLogin(loginId, reason) +
      this.byteRelays.closeLogin(loginId, reason)
    );
  }

  decideApproval(
    commandId: string,
    approve: boolean,
    who: { userId: string; name: string; canApprove: boolean },
  ): Promise<ApprovalAnswer> {
    return this.enforcement.decideApproval(commandId, approve, who);
  }

  /** Waits for queued command writes (tests, end of session). */
  drainCommandWrites(): Promise<void> {
    return this.store.drain();
  }

  async setRecording(on: boolean, _by: string): Promise<{ recording: boolean; recordingId: string | null }> {
    await this.recording.set(on);
    await this.lifecycle.save();
    this.viewers.broadcastJson({
      t: "notice",
      level: "info",
      message: on ? "Recording started" : "Recording stopped",
    });
    return { recording: this.recording.active, recordingId: this.recording.state?.id ?? null };
  }

  /** A tunnel's target and traffic so far; null for any other session. */
  tunnelStats(): (TunnelStats & { host: string | null; port: number | null }) | null {
    const m = this.lifecycle.meta;
    if (!m || m.kind !== "tunnel") return null;
    return {
      host: m.tunnelTarget?.host ?? null,
      port: m.tunnelTarget?.port ?? null,
      ...this.byteRelays.tunnel.stats(),
    };
  }

  /** Bytes each way so far where the session's relay counts them (tunnel, RDP, VNC); null for a shell. */
  relayBytes(): { bytesUp: number; bytesDown: number } | null {
    const kind = this.lifecycle.meta?.kind;
    return kind ? this.byteRelays.bytes(kind) : null;
  }

  async snapshotForTest(): Promise<{ status: RoomStatus; screen: string; viewers: number }> {
    const m = this.lifecycle.require();
    return { status: m.status, screen: (await this.screen?.snapshot()) ?? "", viewers: this.viewers.size };
  }
}
