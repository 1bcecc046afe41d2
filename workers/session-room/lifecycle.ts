// RoomLifecycle: the one owner of a live session's state — the room's record (`Meta`, kept in the
// object's storage so a restarted object resumes it) and the seed's state machine:
//   connecting → active → ended | disconnected → active (the agent back within GRACE_MS) | error.
// Every status change goes through setStatus, which persists the record, wakes who waits for the outcome,
// tells the viewers, writes the session row, arms the grace alarm, and — on ended or error — releases the
// room's parts once (ended and error are final: later changes are ignored). The alarm also ends an idle
// session after the organization's timeout.
import type { RoomFrame } from "@nostromo/protocol";
import type { RecordingState } from "./recorder.ts";
import type { RoomStore } from "./room-store.ts";

export const GRACE_MS = 60_000;

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
  /** No terminal: a TCP tunnel (docs/tunnels.md, tunnel-relay.ts), an RDP session (rdp-relay.ts: the
   * browser's bytes) or a VNC session (vnc-relay.ts). */
  kind?: "tunnel" | "rdp" | "vnc";
  /** A tunnel's target (shown in the live lists; the agent was told it in `tunnel.open`). */
  tunnelTarget?: { host: string; port: number };
  /** A VNC session: clipboard text may cross (ClientCutText); absent = allowed. */
  clipboard?: boolean;
  /** The connection's type, for the policies' `applies_to_types`; absent in rooms made before it = ssh. */
  connectionType?: "ssh" | "telnet" | "vnc";
}

export interface Meta extends RoomInit {
  status: RoomStatus;
  reason: string | null;
  startedAt: number;
  lastActivityAt: number;
  disconnectedAt: number | null;
  recording: RecordingState | null;
  errorCode: string | null;
}

export interface Outcome {
  status: RoomStatus;
  reason: string | null;
  code: string | null;
}

/** What the lifecycle asks of the room. */
export interface LifecycleHost {
  storage: DurableObjectStorage;
  store: RoomStore;
  /** The recording's state, saved with the record. */
  recording(): RecordingState | null;
  broadcast(frame: RoomFrame): void;
  /** Tells the agent (data socket and control link) to close the session's shell. */
  closeShell(reason: string): Promise<void>;
  /** The session is over: output flushed, recording finalised, sockets closed. */
  release(): Promise<void>;
}

export class RoomLifecycle {
  meta: Meta | null = null;
  private waiters: ((m: Meta) => void)[] = [];

  constructor(private readonly host: LifecycleHost) {}

  /** The record a restarted object left in its storage, if any. */
  async restore(): Promise<Meta | null> {
    this.meta = (await this.host.storage.get<Meta>("meta")) ?? null;
    return this.meta;
  }

  create(init: RoomInit): Meta {
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
    return this.meta;
  }

  require(): Meta {
    if (!this.meta) throw new Error("room not initialised");
    return this.meta;
  }

  async save(): Promise<void> {
    if (this.meta) {
      const recording = this.host.recording();
      if (recording) this.meta.recording = recording;
      await this.host.storage.put("meta", this.meta);
    }
  }

  /** Resolves once the session is active, or failed/ended, or after the timeout (status as it is). */
  waitForOutcome(timeoutMs: number): Promise<Outcome> {
    const m = this.require();
    const done = (x: Meta) => ({ status: x.status, reason: x.reason, code: x.errorCode });
    if (m.status !== "connecting") return Promise.resolve(done(m));
    return new Promise((res) => {
      const timer = setTimeout(() => res(done(this.require())), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(timer);
        res(done(x));
      });
    });
  }

  async setStatus(
    status: RoomStatus,
    reason: string | null,
    code: string | null = null,
    exitCode: number | null = null,
  ): Promise<void> {
    const m = this.require();
    if (m.status === status && m.reason === reason) return;
    if (m.status === "ended" || m.status === "error") return;
    m.status = status;
    m.reason = reason;
    m.errorCode = code;
    m.disconnectedAt = status === "disconnected" ? Date.now() : null;
    await this.save();
    for (const w of this.waiters.splice(0)) w(m);
    this.host.broadcast({
      t: "status",
      status,
      ...(reason ? { reason } : {}),
      ...(exitCode !== null ? { exitCode } : {}),
    });
    const final = status === "ended" || status === "error";
    const duration = final ? Math.round((Date.now() - m.startedAt) / 1000) : null;
    await this.host.store
      .sessionStatus(status === "connecting" ? "active" : status, reason, duration)
      .catch((err) =>
        console.error(
          JSON.stringify({ level: "error", msg: "session status write failed", error: String(err) }),
        ),
      );
    if (status === "disconnected") await this.host.storage.setAlarm(Date.now() + GRACE_MS);
    if (final) await this.finish();
  }

  /** Ends the session at once (DELETE, kill switch, idle timeout, auto-disconnect). */
  async end(reason: string, code: string | null = null): Promise<{ status: RoomStatus }> {
    const m = this.meta;
    if (!m) return { status: "ended" };
    if (m.status === "ended" || m.status === "error") return { status: m.status };
    await this.host.closeShell(reason);
    await this.setStatus("ended", reason, code);
    return { status: "ended" };
  }

  private async finish(): Promise<void> {
    await this.host.release();
    await this.host.store.allViewersLeft().catch(() => {});
    await this.host.storage.deleteAlarm();
  }

  async alarm(): Promise<void> {
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

  async scheduleIdle(): Promise<void> {
    const m = this.meta;
    if (!m || m.idleTimeoutMs <= 0 || m.status !== "active") return;
    await this.host.storage.setAlarm(m.lastActivityAt + m.idleTimeoutMs);
  }
}
