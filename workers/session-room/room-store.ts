// RoomStore: every statement a SessionRoom runs against its tenant's PostgreSQL database — the session
// row's state, command rows, recording rows, viewer rows, the connection's pinned host key, the policies
// it enforces and its audit events (written by workers/audit/audit.ts, the one audit writer). In one
// place so the room's parts never build SQL and each table's writes from the room can be read together.
// Command and audit writes go through one ordered queue: off the keystroke path, in the order the room
// made them, one failure logged without stopping the next. The other writes are awaited by their caller,
// which decides what a failure means (most are logged or ignored; a recording that cannot be registered
// fails the request that started it).
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { command } from "../../db/schema/tenant/command.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import type { AuditEventType } from "../../db/schema/tenant/enums.ts";
import { session } from "../../db/schema/tenant/session.ts";
import { sessionRecording } from "../../db/schema/tenant/session-recording.ts";
import { sessionViewer } from "../../db/schema/tenant/session-viewer.ts";
import { writeAudit } from "../audit/audit.ts";
import { Databases } from "../db/databases.ts";
import type { Bindings } from "../env.ts";
import { loadCompiledPolicies } from "../policies/compiled.ts";
import type { CompiledPolicies, Decision } from "../policy/index.ts";
import type { TrackerHost, Typist } from "./command-tracker.ts";
import { RDP_MIME_TYPE } from "./rdp-recording.ts";
import type { Codec } from "./recorder.ts";
import { RFB_MIME_TYPE } from "./rfb-recording.ts";

/** Which session the statements are about (read from the room's state at each call). */
export interface SessionRef {
  tenantId: string;
  sessionUuid: string;
  connectionId: string;
  publicId: string;
}

export type AuditStatus = "success" | "failure" | "warning";

type CommandResult = Parameters<TrackerHost["finished"]>[1];

export interface RecordingRow {
  id: string;
  prefix: string;
  cols: number;
  rows: number;
  retentionUntil: Date;
  /** A VNC or RDP session's recording (rfb-recording.ts, rdp-recording.ts); absent = asciicast. */
  codec?: Codec | undefined;
}

export class RoomStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Pools held for the object's life: a queued command write reuses them instead of opening its own. */
  private readonly databases: Databases;

  constructor(
    env: Bindings,
    private readonly ref: () => SessionRef,
  ) {
    this.databases = Databases.forObject(env);
  }

  private run<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.databases.tenant(this.ref().tenantId, (db) => fn(db));
  }

  private enqueue(fn: (db: Db, s: SessionRef) => Promise<unknown>): void {
    this.queue = this.queue
      .then(() => {
        const s = this.ref();
        return this.run((db) => fn(db, s));
      })
      .catch((err) =>
        console.error(
          JSON.stringify({ level: "error", msg: "command record write failed", error: String(err) }),
        ),
      );
  }

  /** Resolves once every queued write has been made (tests, end of session). */
  async drain(): Promise<void> {
    await this.queue;
  }

  private auditIn(
    db: Db,
    s: SessionRef,
    type: AuditEventType,
    description: string,
    status: AuditStatus,
    userId: string | null,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return writeAudit(db, s.tenantId, {
      type,
      action: type.split(".").pop() ?? type,
      description: description.slice(0, 1000),
      status,
      userId,
      sessionId: s.sessionUuid,
      connectionId: s.connectionId,
      metadata: { ...metadata, publicId: s.publicId },
    });
  }

  /** An audit event about this session, queued. */
  audit(
    type: AuditEventType,
    description: string,
    status: AuditStatus,
    userId: string | null,
    metadata: Record<string, unknown>,
  ): void {
    this.enqueue((db, s) => this.auditIn(db, s, type, description, status, userId, metadata));
  }

  // ── session and connection rows ──────────────────────────────────────────────────────────────────

  /** The session row follows the room's state; `durationSeconds` is given when the session is over. */
  sessionStatus(
    status: "active" | "disconnected" | "ended" | "error",
    reason: string | null,
    durationSeconds: number | null,
  ): Promise<unknown> {
    const id = this.ref().sessionUuid;
    return this.run((db) =>
      db
        .update(session)
        .set({
          status,
          statusReason: reason,
          ...(durationSeconds !== null ? { endedAt: new Date(), durationSeconds } : {}),
        })
        .where(eq(session.id, id)),
    );
  }

  resized(cols: number, rows: number): Promise<unknown> {
    const id = this.ref().sessionUuid;
    return this.run((db) => db.update(session).set({ cols, rows }).where(eq(session.id, id)));
  }

  /** Trust on first use: pins the host key when the connection has none. */
  pinHostKey(hostKey: string): Promise<unknown> {
    const id = this.ref().connectionId;
    return this.run((db) =>
      db
        .update(connection)
        .set({ hostKey })
        .where(and(eq(connection.id, id), sql`${connection.hostKey} is null`)),
    );
  }

  // ── viewer rows ──────────────────────────────────────────────────────────────────────────────────

  viewerLeft(viewerRowId: string): Promise<unknown> {
    return this.run((db) =>
      db
        .update(sessionViewer)
        .set({ isActive: false, leftAt: new Date() })
        .where(eq(sessionViewer.id, viewerRowId)),
    );
  }

  /** Rights changed in the room (typing handed over or taken back): a reconnect must find them. */
  viewerRights(viewerRowId: string, rights: { role: "collaborator" | "viewer"; canType: boolean }) {
    const id = this.ref().sessionUuid;
    return this.run((db) =>
      db
        .update(sessionViewer)
        .set(rights)
        .where(and(eq(sessionViewer.id, viewerRowId), eq(sessionViewer.sessionId, id))),
    );
  }

  /** The session is over: every viewer still marked active has left. */
  allViewersLeft(): Promise<unknown> {
    const id = this.ref().sessionUuid;
    return this.run((db) =>
      db
        .update(sessionViewer)
        .set({ isActive: false, leftAt: new Date() })
        .where(and(eq(sessionViewer.sessionId, id), eq(sessionViewer.isActive, true))),
    );
  }

  // ── policies and command rows ────────────────────────────────────────────────────────────────────

  policies(): Promise<CompiledPolicies> {
    const tenantId = this.ref().tenantId;
    return this.run((db) => loadCompiledPolicies(db, tenantId));
  }

  /** An allowed line went to the shell: its row (id chosen by the room) and the session's counters. */
  commandStarted(id: string, line: string, typist: Typist, d: Decision): void {
    this.enqueue(async (db, s) => {
      await db.insert(command).values({
        id,
        sessionId: s.sessionUuid,
        userId: typist.userId,
        organizationId: s.tenantId,
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
        .where(eq(session.id, s.sessionUuid));
    });
  }

  /** The command's output and exit code, and its `command.executed` / `command.failed` event. */
  commandFinished(id: string, r: CommandResult): void {
    const ok = r.exitCode === null || r.exitCode === 0;
    this.enqueue(async (db, s) => {
      await db
        .update(command)
        .set({
          exitCode: r.exitCode,
          output: r.output,
          outputTruncated: r.truncated,
          durationMs: r.durationMs,
          status: ok ? "executed" : "error",
        })
        .where(eq(command.id, id));
      const [row] = await db
        .select({ line: command.command, userId: command.userId })
        .from(command)
        .where(eq(command.id, id));
      await this.auditIn(
        db,
        s,
        ok ? "command.executed" : "command.failed",
        `${row?.line ?? "command"} → ${r.exitCode ?? "?"}`,
        ok ? "success" : "failure",
        row?.userId ?? null,
        { commandId: id, exitCode: r.exitCode, durationMs: r.durationMs },
      );
    });
  }

  /** The shell's own account of a command differs from the line judged: the row keeps the shell's. */
  commandCorrected(id: string, line: string): void {
    this.enqueue((db) => db.update(command).set({ command: line }).where(eq(command.id, id)));
  }

  /** A refused line: its blocked row, the session's counters, `command.blocked`, `policy.violation` and,
   * when the rule asks to notify, `security.alert`. */
  commandBlocked(line: string, typist: Typist, d: Decision, reason: string): void {
    this.enqueue(async (db, s) => {
      const [row] = await db
        .insert(command)
        .values({
          sessionId: s.sessionUuid,
          userId: typist.userId,
          organizationId: s.tenantId,
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
        .where(eq(session.id, s.sessionUuid));
      const meta = { commandId: row?.id, rule: d.rule, decision: d.decision, command: line.slice(0, 500) };
      const who = typist.userId;
      await this.auditIn(db, s, "command.blocked", `Blocked: ${line.slice(0, 200)}`, "failure", who, meta);
      await this.auditIn(db, s, "policy.violation", reason, "warning", who, meta);
      if (d.notify)
        await this.auditIn(
          db,
          s,
          "security.alert",
          `Policy violation in ${s.publicId}: ${line.slice(0, 200)}`,
          "warning",
          who,
          meta,
        );
    });
  }

  // ── recording rows ───────────────────────────────────────────────────────────────────────────────

  recordingStarted(r: RecordingRow): Promise<void> {
    const s = this.ref();
    return this.run(async (db) => {
      await db.insert(sessionRecording).values({
        id: r.id,
        sessionId: s.sessionUuid,
        organizationId: s.tenantId,
        fileUrl: `r2://${r.prefix}/`,
        fileName: `${s.publicId}.${r.codec ?? "cast"}`,
        resolution: `${r.cols}x${r.rows}`,
        ...(r.codec ? { codec: r.codec, mimeType: r.codec === "rfb" ? RFB_MIME_TYPE : RDP_MIME_TYPE } : {}),
        status: "processing",
        retentionUntil: r.retentionUntil,
      });
      await db
        .update(session)
        .set({ isRecording: true, recordingUrl: `/api/recordings/${r.id}/download` })
        .where(eq(session.id, s.sessionUuid));
    });
  }

  /** A VNC recording's resolution, once its stream's ServerInit is seen (an RDP one's: the client's). */
  recordingResolution(id: string, resolution: string): Promise<void> {
    return this.run(async (db) => {
      await db.update(sessionRecording).set({ resolution }).where(eq(sessionRecording.id, id));
    });
  }

  recordingFinished(
    id: string,
    r: { bytes: number; chunks: number; durationSeconds: number; framesPerSecond?: number },
  ): Promise<void> {
    const s = this.ref();
    return this.run(async (db) => {
      await db
        .update(sessionRecording)
        .set({
          status: "ready",
          fileSizeBytes: r.bytes,
          durationSeconds: r.durationSeconds,
          chunkCount: r.chunks,
          ...(r.framesPerSecond !== undefined ? { framesPerSecond: r.framesPerSecond } : {}),
        })
        .where(eq(sessionRecording.id, id));
      await db
        .update(session)
        .set({
          isRecording: false,
          recordingSizeBytes: sql`coalesce(${session.recordingSizeBytes}, 0) + ${r.bytes}`,
        })
        .where(eq(session.id, s.sessionUuid));
    });
  }
}
