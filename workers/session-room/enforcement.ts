// Enforcement: the room's policy side — it hosts the command tracker (command-tracker.ts: the line judged
// at Enter) and the execution guard (guard-host.ts: the shell's own account of what runs), reads the
// organization's compiled policies (re-read at most every POLICY_REFRESH_MS; when the store cannot be
// reached the last known set is used, and with none the session fails closed), holds commands that need
// approval until an authorized participant decides or the wait times out, and turns a refusal into what
// everybody sees: a notice, the blocked row and its audit events, the webhook alert, and the end of the
// session when the rule says so. The rows themselves are written by room-store.ts.

import type { RoomFrame } from "@nostromo/protocol";
import type { CompiledPolicies } from "../policy/index.ts";
import { type Decision, evaluateCommand } from "../policy/index.ts";
import { CommandTracker, type Typist } from "./command-tracker.ts";
import type { ExecutionGuard } from "./execution-guard.ts";
import { createGuard } from "./guard-host.ts";
import { droppedNotice, refuseInput } from "./input-gate.ts";
import type { Meta } from "./lifecycle.ts";
import type { OscScanner, ScanEvent } from "./osc-scanner.ts";
import type { ApprovalAnswer } from "./participants.ts";
import type { RoomStore } from "./room-store.ts";
import type { Screen } from "./screen.ts";

export const POLICY_REFRESH_MS = 2_000;
export const POLICY_LOAD_TIMEOUT_MS = 5_000;

/** What enforcement asks of the room. */
export interface EnforcementHost {
  meta(): Meta;
  store: RoomStore;
  scanner: OscScanner;
  /** Bytes to the shell as they are (the agent's data socket). */
  sendRaw(bytes: Uint8Array): void;
  connected(): boolean;
  lastOutputAt(): number;
  broadcast(frame: RoomFrame): void;
  sendToUser(userId: string, frame: RoomFrame): void;
  end(reason: string, code: string): Promise<unknown>;
}

interface Approval {
  /** The `approval` frame every viewer was sent, replayed to one who joins while it waits. */
  frame: RoomFrame;
  line: string;
  typist: Typist;
  resolve: (ok: boolean) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Enforcement {
  private tracker: CommandTracker | null = null;
  private guard: ExecutionGuard | null = null;
  private readonly approvals = new Map<string, Approval>();
  private policyCache: { compiled: CompiledPolicies; at: number } | null = null;

  constructor(private readonly host: EnforcementHost) {}

  /** Starts judging the session drawn on `screen` (a new room, or a restarted one). */
  attach(screen: Screen, m: Meta): void {
    this.tracker = this.makeTracker(screen);
    this.guard = this.makeGuard(m);
  }

  /** Input received and not yet judged. */
  get backlog(): number {
    return this.tracker?.backlog ?? 0;
  }

  /** A new shell for this session: its integration signs marks with a new key. */
  newShell(markKey: string): void {
    this.host.scanner.key = markKey;
    this.guard?.reset();
  }

  /** One piece of output, after the screen model received it, with the mark that ended it. */
  onOutput(bytes: Uint8Array, event: ScanEvent | null): void {
    this.tracker?.onOutput(bytes, event);
    if (event) void this.guard?.onEvent(event);
  }

  /** A typist's bytes; an error frame for them when refused. `touch` marks the session active. */
  input(bytes: Uint8Array, typist: Typist, touch: () => void): RoomFrame | null {
    const refused = refuseInput(bytes.length, this.backlog);
    if (refused) return refused;
    touch();
    if (this.approvals.size > 0)
      return { t: "error", code: "INVALID_STATE", message: "A command is waiting for approval" };
    if (this.guard) this.guard.typist = typist;
    void this.tracker?.input(bytes, typist);
    return null;
  }

  dispose(): void {
    this.guard?.dispose();
  }

  /** The organization's compiled policies: re-read at most every POLICY_REFRESH_MS, with a bounded wait;
   * when the store cannot be reached the last known set is used, and with none the session fails closed. */
  private async compiledPolicies(): Promise<CompiledPolicies> {
    const cached = this.policyCache;
    if (cached && Date.now() - cached.at < POLICY_REFRESH_MS) return cached.compiled;
    try {
      const compiled = await Promise.race([
        this.host.store.policies(),
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

  private async evaluateLine(line: string, typist: Typist): Promise<Decision> {
    const m = this.host.meta();
    const compiled = await this.compiledPolicies();
    return evaluateCommand(compiled, line, {
      roleId: typist.roleId,
      connectionId: m.connectionId,
      connectionType: m.connectionType ?? "ssh",
    });
  }

  /** The execution guard (execution-guard.ts); the room only lends it its ports. */
  private makeGuard(m: Meta): ExecutionGuard {
    const { store } = this.host;
    return createGuard({
      scanner: this.host.scanner,
      markKey: m.markKey ?? null,
      owner: { userId: m.ownerId, roleId: null, name: "owner" },
      forward: (bytes) => this.host.sendRaw(bytes),
      released: () => this.tracker?.sent(),
      evaluate: (line, typist) => this.evaluateLine(line, typist),
      blocked: (line, typist, d, reason) => this.onBlocked(line, typist, d, reason),
      record: (line, typist, d) => {
        const id = crypto.randomUUID();
        store.commandStarted(id, line, typist, d);
        return id;
      },
      follow: (id) => this.tracker?.adopt(id),
      audit: (type, description, status, userId, metadata) =>
        store.audit(type, description, status, userId, metadata),
      corrected: (commandId, line) => store.commandCorrected(commandId, line),
      notice: (message, code) => this.host.broadcast({ t: "notice", level: "error", code, message }),
      end: (reason, code) => this.host.end(reason, code),
      connected: () => this.host.connected(),
    });
  }

  private makeTracker(screen: Screen): CommandTracker {
    const { store } = this.host;
    return new CommandTracker({
      screen,
      // Through the guard: input typed behind an approved Enter waits for the shell's verdict.
      forward: (bytes) => {
        if (this.guard) return this.guard.input(bytes);
        this.host.sendRaw(bytes);
        return true;
      },
      lastOutputAt: () => this.host.lastOutputAt(),
      evaluate: (line, typist) => this.evaluateLine(line, typist),
      started: async (line, typist, d) => {
        const id = crypto.randomUUID();
        store.commandStarted(id, line, typist, d);
        this.guard?.approvedLine(line, typist, id);
        return id;
      },
      finished: async (id, r) => store.commandFinished(id, r),
      blocked: async (line, typist, d, reason) => this.onBlocked(line, typist, d, reason),
      approval: (line, typist, d) => this.requestApproval(line, typist, d),
      dropped: (typist, bytes) => this.host.sendToUser(typist.userId, droppedNotice(bytes)),
    });
  }

  private async onBlocked(line: string, typist: Typist, d: Decision, reason: string): Promise<void> {
    const m = this.host.meta();
    const rule = d.rule?.name ?? d.policy?.name ?? null;
    this.host.broadcast({
      t: "notice",
      level: "error",
      code: "COMMAND_BLOCKED",
      message: `Blocked${rule ? ` by "${rule}"` : ""}: ${line.slice(0, 200)}`,
      data: { rule, severity: d.severity, typist: typist.userId, reason },
    });
    this.host.store.commandBlocked(line, typist, d, reason);
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
      await this.host.end(
        `Auto-disconnected after a policy violation${rule ? ` (${rule})` : ""}`,
        "POLICY_VIOLATION",
      );
  }

  private requestApproval(line: string, typist: Typist, d: Decision): Promise<boolean> {
    const m = this.host.meta();
    const commandId = crypto.randomUUID();
    const expiresAt = Date.now() + m.approvalTimeoutMs;
    const frame: RoomFrame = {
      t: "approval",
      commandId,
      command: line,
      typist: { userId: typist.userId, name: typist.name },
      rule: d.rule?.name ?? d.policy?.name ?? null,
      expiresAt,
    };
    this.host.broadcast(frame);
    this.host.store.audit(
      "command.approval.requested",
      `Approval requested: ${line.slice(0, 200)}`,
      "warning",
      typist.userId,
      { commandId, rule: d.rule },
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.approvals.delete(commandId);
        this.host.broadcast({ t: "approval-result", commandId, approved: false, by: null });
        resolve(false);
      }, m.approvalTimeoutMs);
      this.approvals.set(commandId, { frame, line, typist, resolve, timer });
    });
  }

  /** The `approval` frames of the commands waiting now. */
  pendingApprovals(): RoomFrame[] {
    return [...this.approvals.values()].map((a) => a.frame);
  }

  async decideApproval(
    commandId: string,
    approve: boolean,
    who: { userId: string; name: string; canApprove: boolean },
  ): Promise<ApprovalAnswer> {
    const a = this.approvals.get(commandId);
    if (!a) return { ok: false, code: "NOT_FOUND", message: "No command awaits approval with that id" };
    if (!who.canApprove) return { ok: false, code: "FORBIDDEN", message: "You may not approve commands" };
    if (who.userId === a.typist.userId)
      return { ok: false, code: "FORBIDDEN", message: "A command needs someone else's approval" };
    this.approvals.delete(commandId);
    clearTimeout(a.timer);
    this.host.broadcast({ t: "approval-result", commandId, approved: approve, by: who.name });
    this.host.store.audit(
      approve ? "command.approval.granted" : "command.approval.denied",
      `${who.name} ${approve ? "approved" : "denied"}: ${a.line.slice(0, 200)}`,
      approve ? "success" : "failure",
      who.userId,
      { commandId, typist: a.typist.userId },
    );
    a.resolve(approve);
    return { ok: true };
  }
}
