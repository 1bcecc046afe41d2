// Participants: the viewers' sockets of one live session — accepting a viewer (hello, then the current
// screen before any live batch), their frames (validated; malformed ones counted and past MAX_GARBAGE the
// socket is closed), who may type, see and share, hand-over of roles by the owner, presence, the kill
// switch for one login's sockets, and the JSON and output fan-out to everybody. What typing, resizing or
// approving *does* is the room's (host below); this part decides who may ask.

import { type ParticipantView, parseViewerFrame, type RoomFrame } from "@nostromo/protocol";
import { KILLED_CLOSE_CODE } from "../live/login-sockets.ts";
import type { Meta } from "./lifecycle.ts";
import type { Screen } from "./screen.ts";
import { ViewerSocket } from "./viewer-sockets.ts";

const MAX_GARBAGE = 50;

export const VERIFIED_VIEWER_HEADER = "x-nostromo-verified-viewer";

export interface ViewerIdentity {
  userId: string;
  name: string;
  role: "owner" | "collaborator" | "viewer";
  canType: boolean;
  /** Their role may run commands (session:start): typing can be handed to them, never to anyone else. */
  mayType: boolean;
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

export type ApprovalAnswer = { ok: true } | { ok: false; code: string; message: string };

/** Watchers the room serves through relays (relay-tier.ts): listed in presence, told every broadcast. */
export interface RelayedWatchers {
  identities(): Iterable<ViewerIdentity>;
  broadcast(text: string): void;
  has(userId: string): boolean;
}

/** The first frame every viewer gets: who they are and the session's state. */
export function helloFrame(v: ViewerIdentity, m: Meta, recording: boolean): RoomFrame {
  return {
    t: "hello",
    you: {
      userId: v.userId,
      role: v.role,
      canType: v.canType,
      canSee: v.canSee,
      canShare: v.canShare,
      canApprove: v.canApprove,
    },
    session: {
      id: m.sessionUuid,
      publicId: m.publicId,
      status: m.status,
      cols: m.cols,
      rows: m.rows,
      recording,
    },
  };
}

/** What participants ask of the room. */
export interface ParticipantsHost {
  relayed: RelayedWatchers;
  meta(): Meta;
  screen(): Screen | null;
  recording(): boolean;
  /** Processes batched output, so a snapshot holds everything already received. */
  flushOutput(): void;
  /** A typist's bytes (the viewer may type): an error frame for them when refused, else null. */
  input(v: ViewerIdentity, bytes: Uint8Array): RoomFrame | null;
  resize(cols: number, rows: number): Promise<void>;
  decideApproval(
    commandId: string,
    approve: boolean,
    who: { userId: string; name: string; canApprove: boolean },
  ): Promise<ApprovalAnswer>;
  /** The commands held for approval now (`approval` frames), for a viewer who joins while they wait. */
  pendingApprovals(): RoomFrame[];
  /**
   * A participant's rights changed: their viewer row keeps them for the next join; `by` (a change asked
   * over the socket, not an invitation the API already audited) is audited.
   */
  rightsChanged(
    viewerRowId: string,
    rights: { role: "collaborator" | "viewer"; canType: boolean },
    who: { userId: string; name: string },
    by: { userId: string; name: string } | null,
  ): Promise<void>;
  /** The user's last socket closed: their viewer row is closed. */
  left(viewerRowId: string): Promise<void>;
}

export class Participants {
  private readonly viewers = new Set<Viewer>();

  constructor(private readonly host: ParticipantsHost) {}

  get size(): number {
    return this.viewers.size;
  }

  /** Takes the room's end of a viewer's socket; it is accepted once the 101 is wired (viewer-sockets.ts). */
  accept(ws: WebSocket, who: ViewerIdentity): void {
    const v: Viewer = { ...who, ws: new ViewerSocket(ws), garbage: 0 };
    this.viewers.add(v);
    v.ws.open({
      opened: () => this.opened(v),
      message: (data) => void this.onMessage(v, data),
      closed: () => void this.onClose(v),
    });
  }

  /** Accepted: hello, the current screen, the commands awaiting approval, presence. */
  private async opened(v: Viewer): Promise<void> {
    this.sendJson(v, helloFrame(v, this.host.meta(), this.host.recording()));
    const screen = this.host.screen();
    if (v.canSee && screen) {
      // The current screen first: everything already written is parsed before it is serialised, and no
      // live batch can reach this viewer before the snapshot (batches are sent after this returns).
      this.host.flushOutput();
      this.sendJson(v, {
        t: "snapshot",
        data: await screen.snapshot(),
        cols: screen.cols,
        rows: screen.rows,
      });
    }
    for (const held of this.host.pendingApprovals()) this.sendJson(v, held);
    this.broadcastPresence();
  }

  private async onMessage(v: Viewer, data: string | ArrayBuffer): Promise<void> {
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
        await this.host.resize(f.cols, f.rows);
        return;
      case "set-role":
      case "set-typing":
        if (v.role !== "owner" && !v.canShare) {
          this.sendJson(v, { t: "error", code: "FORBIDDEN", message: "Only the owner manages participants" });
          return;
        }
        if (f.t === "set-typing" && f.canType && !this.mayType(f.userId)) {
          this.sendJson(v, {
            t: "error",
            code: "FORBIDDEN",
            message: "Their role may not run commands: typing cannot be handed to them",
          });
          return;
        }
        await this.update(f.userId, f.t === "set-role" ? { role: f.role } : { canType: f.canType }, v);
        return;
      case "approve": {
        const r = await this.host.decideApproval(f.commandId, f.approve, {
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
    if (!v.canType) {
      this.sendJson(v, {
        t: "error",
        code: "FORBIDDEN",
        message: "You may watch but not type in this session",
      });
      return;
    }
    const refused = this.host.input(v, bytes);
    if (refused) this.sendJson(v, refused);
  }

  /**
   * Hand-over: the owner (or a participant who may share) changes another participant's role or typing.
   * The viewer row is written before anyone is told, so a reconnect at once finds the new rights.
   */
  async update(
    userId: string,
    change: { role?: "collaborator" | "viewer"; canType?: boolean },
    by: { userId: string; name: string } | null = null,
  ): Promise<number> {
    const sockets = [...this.viewers].filter((v) => v.userId === userId && v.role !== "owner");
    for (const v of sockets) {
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
      // Typing needs the role's right to run commands, whoever asks and whatever the invitation said.
      if (!v.mayType) v.canType = false;
    }
    const first = sockets[0];
    if (first?.viewerRowId && first.role !== "owner")
      await this.host.rightsChanged(
        first.viewerRowId,
        { role: first.role, canType: first.canType },
        first,
        by && { userId: by.userId, name: by.name },
      );
    for (const v of sockets)
      this.sendJson(v, {
        t: "notice",
        level: "info",
        message: `You are now ${v.role}${v.canType ? " and may type" : ""}`,
      });
    this.broadcastPresence();
    return sockets.length;
  }

  /** Some socket of `userId` belongs to someone whose role may run commands. */
  private mayType(userId: string): boolean {
    return [...this.viewers].some((v) => v.userId === userId && v.mayType);
  }

  private async onClose(v: Viewer): Promise<void> {
    this.viewers.delete(v);
    this.broadcastPresence();
    if (!this.present(v.userId) && !this.host.relayed.has(v.userId) && v.viewerRowId)
      await this.host.left(v.viewerRowId);
  }

  /** Some socket of the user is on the room itself. */
  present(userId: string): boolean {
    for (const v of this.viewers) if (v.userId === userId) return true;
    return false;
  }

  list(): ParticipantView[] {
    const byUser = new Map<string, ParticipantView>();
    for (const v of [...this.viewers, ...this.host.relayed.identities()]) {
      const p = byUser.get(v.userId);
      if (p) p.connections += 1;
      else
        byUser.set(v.userId, {
          userId: v.userId,
          name: v.name,
          role: v.role,
          canType: v.canType,
          mayType: v.mayType,
          canSee: v.canSee,
          canShare: v.canShare,
          connections: 1,
        });
    }
    return [...byUser.values()];
  }

  broadcastPresence(): void {
    this.broadcastJson({ t: "presence", participants: this.list() });
  }

  private sendJson(v: Viewer, frame: RoomFrame): void {
    v.ws.send(JSON.stringify(frame));
  }

  /** A frame to every socket of one user (a notice about what they typed). */
  sendToUser(userId: string, frame: RoomFrame): void {
    for (const v of this.viewers) if (v.userId === userId) this.sendJson(v, frame);
  }

  broadcastJson(frame: RoomFrame): void {
    const text = JSON.stringify(frame);
    for (const v of this.viewers) v.ws.send(text);
    this.host.relayed.broadcast(text);
  }

  /** One output batch to every viewer who may see it. */
  fanOut(batch: Uint8Array): void {
    for (const v of this.viewers) if (v.canSee) v.ws.send(batch);
  }

  /** The kill switch: closes every socket opened by one login. */
  closeLogin(loginId: string, reason: string): number {
    let n = 0;
    for (const v of [...this.viewers]) {
      if (v.loginId !== loginId) continue;
      v.ws.close(KILLED_CLOSE_CODE, reason.slice(0, 100));
      n += 1;
    }
    return n;
  }

  /** The session is over: every socket is closed with the reason. */
  closeAll(reason: string): void {
    for (const v of this.viewers) v.ws.close(1000, reason);
  }
}
