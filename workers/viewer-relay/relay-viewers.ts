// The viewers of one ViewerRelay and what each is sent, in order: nothing until both its socket is open and
// the room's `ready` (hello, the snapshot as of its join) has arrived; then those first frames, then every
// batch and JSON frame the feed carried since its `join`, then the live stream. Pure (sockets behind a
// two-method interface) so the ordering is unit-tested without workerd.
import type { RoomToRelay } from "./feed.ts";

/** A viewer's socket as the relay uses it (viewer-sockets.ts's ViewerSocket in the object). */
export interface RelaySocket {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

interface Entry {
  ws: RelaySocket;
  opened: boolean;
  /** The room's first frames; null until `ready`. */
  first: string[] | null;
  /** Feed frames since `join`, until the viewer is live; null before `join`. */
  held: (string | Uint8Array)[] | null;
  live: boolean;
}

export class RelayViewers {
  private readonly viewers = new Map<string, Entry>();

  get size(): number {
    return this.viewers.size;
  }

  add(id: string, ws: RelaySocket): void {
    this.viewers.set(id, { ws, opened: false, first: null, held: null, live: false });
  }

  /** The socket was accepted: sends what is due if the room's first frames are in. */
  opened(id: string): void {
    const v = this.viewers.get(id);
    if (!v) return;
    v.opened = true;
    this.start(v);
  }

  /** Gone (closed by either side): returns whether it was ours. */
  remove(id: string): boolean {
    return this.viewers.delete(id);
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
        if (v && !v.held && !v.live) v.held = [];
        return;
      }
      case "ready": {
        const v = this.viewers.get(m.id);
        if (!v || v.live) return;
        v.first = m.frames;
        v.held ??= [];
        this.start(v);
        return;
      }
      case "json":
        this.each(m.text);
        return;
      case "close":
        for (const id of m.ids) this.viewers.get(id)?.ws.close(m.code, m.reason);
        return;
      case "close-all":
        this.closeAll(m.code, m.reason);
        return;
    }
  }

  closeAll(code: number, reason: string): void {
    for (const v of this.viewers.values()) v.ws.close(code, reason);
  }

  private each(data: string | Uint8Array): void {
    for (const v of this.viewers.values()) {
      if (v.live) v.ws.send(data);
      else v.held?.push(data);
    }
  }

  private start(v: Entry): void {
    if (!v.opened || !v.first || !v.held) return;
    for (const f of v.first) v.ws.send(f);
    for (const f of v.held) v.ws.send(f);
    v.first = null;
    v.held = null;
    v.live = true;
  }
}
