// The viewers of one ViewerRelay and what each is sent, in order. The room announces a watcher (`join`)
// before the Worker brings its socket: from that moment the feed's batches are kept for it. Nothing is sent
// until both its socket is open and the room's `ready` (hello, the snapshot as of its join) has arrived;
// then those first frames, then everything kept, then the live stream. The socket may arrive before the
// announcement (feed and upgrade are separate channels); one the room never announces gets nothing and is
// closed after PENDING_MS, as is an announcement whose socket never comes. Pure (sockets behind a two-method interface) so the ordering is unit-tested.
import type { RoomToRelay } from "./feed.ts";

/** A viewer's socket as the relay uses it (viewer-sockets.ts's ViewerSocket in the object). */
export interface RelaySocket {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/** How long an announced watcher's socket may take to arrive. */
export const PENDING_MS = 30_000;

interface Entry {
  ws: RelaySocket | null;
  opened: boolean;
  /** The room's first frames; null until `ready`. */
  first: string[] | null;
  /** Feed frames since `join`, until the viewer is live; null before `join`. */
  held: (string | Uint8Array)[] | null;
  live: boolean;
}

export class RelayViewers {
  private readonly viewers = new Map<string, Entry>();

  /** `gone`: a watcher left (its socket closed, or it never came): the room is told. */
  constructor(private readonly gone: (id: string) => void) {}

  get size(): number {
    return this.viewers.size;
  }

  /** A watcher's socket; false (refused) when that watcher already has one. */
  add(id: string, ws: RelaySocket): boolean {
    const v = this.viewers.get(id);
    if (v?.ws) return false;
    if (v) v.ws = ws;
    else this.viewers.set(id, { ws, opened: false, first: null, held: null, live: false });
    return true;
  }

  /** PENDING_MS after a `join` or a socket: drops an announcement without socket, closes a socket never announced. */
  expire(id: string): void {
    const v = this.viewers.get(id);
    if (!v) return;
    if (!v.ws) this.remove(id);
    else if (!v.held && !v.live) v.ws.close(1008, "not a watcher of this relay's room");
  }

  /** The socket was accepted: sends what is due if the room's first frames are in. */
  opened(id: string): void {
    const v = this.viewers.get(id);
    if (!v) return;
    v.opened = true;
    this.start(v);
  }

  /** Gone (its socket closed by either side, or never came): the room is told once. */
  remove(id: string): void {
    if (this.viewers.delete(id)) this.gone(id);
  }

  /** One output batch from the feed: the same bytes to every viewer that joined. */
  batch(bytes: Uint8Array): void {
    this.each(bytes);
  }

  /** One message of the feed. */
  message(m: RoomToRelay): void {
    switch (m.t) {
      case "join": {
        const v = this.viewers.get(m.id);
        if (!v) this.viewers.set(m.id, { ws: null, opened: false, first: null, held: [], live: false });
        else if (!v.held && !v.live) v.held = [];
        return;
      }
      case "ready": {
        const v = this.viewers.get(m.id);
        if (!v || v.live) return;
        v.first = m.frames;
        this.start(v);
        return;
      }
      case "json":
        this.each(m.text);
        return;
      case "close":
        for (const id of m.ids) this.closeOne(id, m.code, m.reason);
        return;
      case "close-all":
        this.closeAll(m.code, m.reason);
        return;
    }
  }

  closeAll(code: number, reason: string): void {
    for (const id of [...this.viewers.keys()]) this.closeOne(id, code, reason);
  }

  private closeOne(id: string, code: number, reason: string): void {
    const v = this.viewers.get(id);
    if (!v) return;
    if (v.ws) v.ws.close(code, reason);
    else this.remove(id);
  }

  private each(data: string | Uint8Array): void {
    for (const v of this.viewers.values()) {
      if (v.live) v.ws?.send(data);
      else v.held?.push(data);
    }
  }

  private start(v: Entry): void {
    if (!v.ws || !v.opened || !v.first || !v.held) return;
    for (const f of v.first) v.ws.send(f);
    for (const f of v.held) v.ws.send(f);
    v.first = null;
    v.held = null;
    v.live = true;
  }
}
