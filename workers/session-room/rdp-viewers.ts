// Watching an RDP session: colleagues allowed to watch (the same rule as for a VNC session: they join at
// /api/remote-sessions/:id/ws) get the owner's picture read-only. RDP is one client's conversation with the
// server (channel ids, bitmap caches, the compressor's history), so a viewer's client cannot start in the
// middle of it: it is fed the whole stream from the first byte — every byte the agent sent the owner's
// client, kept here for the session's life — as fast as it takes it, then the live bytes. Before any byte,
// a text frame names what the owner's client asked for (its desktop size and channels: the viewer's client
// must ask the same to be answered by these bytes; docs/live-sessions.md, RDP sessions, Viewers). Nothing a
// viewer sends reaches the server: every frame from a viewer is dropped here.
// The stream is kept in memory (the room's sockets do not hibernate, and an RDP session does not outlive
// its object); past MAX_HISTORY_BYTES it is dropped and viewers are refused with the reason.
import { KILLED_CLOSE_CODE } from "../live/login-sockets.ts";
import type { ViewerIdentity } from "./participants.ts";
import type { ClientFacts } from "./rdp-channels.ts";
import { ViewerSocket } from "./viewer-sockets.ts";

export const MAX_HISTORY_BYTES = 32 * 1024 * 1024;
const MAX_VIEWERS = 16;

interface RdpViewer {
  who: ViewerIdentity;
  socket: ViewerSocket;
  /** It has the facts and the history so far: live bytes follow. */
  fed: boolean;
}

export class RdpViewers {
  private history: Uint8Array[] = [];
  private historyBytes = 0;
  private tooLong = false;
  private facts: ClientFacts | null = null;
  private readonly viewers = new Set<RdpViewer>();

  /** Bytes for the owner's client (the RDCleanPath response, then the server's RDP). */
  serverBytes(bytes: Uint8Array): void {
    if (this.tooLong) return;
    this.historyBytes += bytes.byteLength;
    if (this.historyBytes > MAX_HISTORY_BYTES) {
      this.tooLong = true;
      this.history = [];
      for (const v of this.viewers) v.socket.close(1008, "the session's stream is too long to catch up");
      return;
    }
    this.history.push(bytes.slice());
    for (const v of this.viewers) if (v.fed) v.socket.send(bytes);
  }

  /** The owner's client passed its Connect Initial: waiting viewers get the facts and the stream so far. */
  client(facts: ClientFacts): void {
    this.facts ??= facts;
    for (const v of this.viewers) this.feed(v);
  }

  attach(ws: WebSocket, who: ViewerIdentity): void {
    const socket = new ViewerSocket(ws);
    const v: RdpViewer = { who, socket, fed: false };
    socket.open({
      opened: () => {
        const refuse = !who.canSee
          ? "You may not see this session"
          : this.tooLong
            ? "the session's stream is too long to catch up"
            : this.viewers.size >= MAX_VIEWERS
              ? "Too many viewers"
              : null;
        if (refuse) {
          socket.close(1008, refuse);
          return;
        }
        this.viewers.add(v);
        this.feed(v);
      },
      message: () => {},
      closed: () => {
        this.viewers.delete(v);
      },
    });
  }

  private feed(v: RdpViewer): void {
    if (v.fed || !this.facts) return;
    v.fed = true;
    v.socket.send(JSON.stringify({ t: "rdp.client", ...this.facts }));
    for (const bytes of this.history) v.socket.send(bytes);
  }

  get size(): number {
    return this.viewers.size;
  }

  closeLogin(loginId: string, reason: string): number {
    let n = 0;
    for (const v of this.viewers)
      if (v.who.loginId === loginId) {
        v.socket.close(KILLED_CLOSE_CODE, reason.slice(0, 100));
        n += 1;
      }
    return n;
  }

  close(reason: string): void {
    for (const v of this.viewers) v.socket.close(1000, reason.slice(0, 100));
    this.viewers.clear();
    this.history = [];
  }
}
