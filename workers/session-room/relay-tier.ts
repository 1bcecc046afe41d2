// RelayTier: the room's side of the viewer relays (docs/fan-out.md). Past a threshold of sockets on the
// room itself, a read-only watcher (a `viewer` who may never type, share or approve) is placed on a
// ViewerRelay Durable Object instead of being accepted here: the room answers a ticket the Worker redeems
// at the relay (ticket.ts), so the watcher's socket never passes through the room. The room feeds each
// relay once per output batch and per broadcast over one WebSocket, and the relay sends to its slice.
// Watchers are grouped by where they connect from (the location hint the Worker derived from the edge's
// `request.cf`, placement.ts): each region has its own relays, created with that hint, so a relay serves
// a slice of the watchers near it. Typists, owners and approvers always stay on the room (the input path
// is unchanged), and sessions below the threshold never spawn a relay. The room keeps the identity of
// every relayed watcher (presence, the kill switch, viewer rows) and obeys the same closes through the
// feed; a relay that dies drops its watchers, who reconnect through the Worker and get a fresh snapshot.
import { randomToken } from "@nostromo/crypto";
import type { RoomFrame } from "@nostromo/protocol";
import type { Bindings } from "../env.ts";
import { KILLED_CLOSE_CODE } from "../live/login-sockets.ts";
import { parseRelayMessage, RELAY_KEY_HEADER, type RoomToRelay } from "../viewer-relay/feed.ts";
import type { LocationHint } from "../viewer-relay/placement.ts";
import type { RelayTicket } from "../viewer-relay/ticket.ts";
import type { Meta } from "./lifecycle.ts";
import { helloFrame, type Participants, type ViewerIdentity } from "./participants.ts";
import type { Screen } from "./screen.ts";

/** Below this many sockets on the room, watchers attach to the room itself. */
export const DEFAULT_RELAY_THRESHOLD = 100;
/** Watchers per relay. */
export const DEFAULT_RELAY_SLICE = 500;

interface Slot {
  /** The relay's number in this session (1 for the first created): what its watchers are told. */
  n: number;
  /** The region this relay serves (created with it as its location hint); null: no hint. */
  hint: LocationHint | null;
  stub: DurableObjectStub;
  key: string;
  feed: WebSocket | null;
  opening: Promise<WebSocket | null> | null;
  count: number;
  dead: boolean;
}

interface Watcher {
  who: ViewerIdentity;
  slot: Slot;
}

export interface RelayTierHost {
  meta(): Meta;
  screen(): Screen | null;
  recording(): boolean;
  /** Processes batched output so a snapshot taken next holds everything already received. */
  flushOutput(): void;
  pendingApprovals(): RoomFrame[];
  /** The room's own sockets: their count, who is among them, presence. */
  participants(): Pick<Participants, "size" | "present" | "broadcastPresence">;
  /** The user's last socket closed: their viewer row is closed. */
  leftRow(viewerRowId: string): void;
}

/** Which relay serves the watcher and for which region (the console shows it; tests read the path). */
function relayedNotice(slot: Slot): RoomFrame {
  return {
    t: "notice",
    level: "info",
    code: "RELAYED",
    message: `You watch through relay ${slot.n}${slot.hint ? ` (region ${slot.hint})` : ""}`,
    data: { relay: slot.n, location_hint: slot.hint },
  };
}

function positive(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export class RelayTier {
  private readonly slots: Slot[] = [];
  private readonly watchers = new Map<string, Watcher>();
  private readonly threshold: number;
  private readonly slice: number;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly env: Bindings,
    private readonly host: RelayTierHost,
  ) {
    this.threshold = positive(env.VIEWER_RELAY_THRESHOLD, DEFAULT_RELAY_THRESHOLD);
    this.slice = positive(env.VIEWER_RELAY_SLICE, DEFAULT_RELAY_SLICE);
  }

  get size(): number {
    return this.watchers.size;
  }

  /** A watcher who never sends anything upstream, in a session past the threshold. */
  takes(who: ViewerIdentity): boolean {
    const readOnly =
      who.role === "viewer" && !who.canType && !who.mayType && who.canSee && !who.canShare && !who.canApprove;
    return readOnly && this.host.participants().size >= this.threshold;
  }

  /**
   * Places the watcher on a relay of its region (`hint`, from where it connects): announces it on the relay's feed (from here on the relay keeps the
   * batches for it, and gets its first frames) and answers the ticket the Worker redeems at the relay;
   * null when no relay could take it (then the room does).
   */
  async place(who: ViewerIdentity, hint: LocationHint | null): Promise<RelayTicket | null> {
    const slot =
      this.slots.find((s) => !s.dead && s.hint === hint && s.count < this.slice) ?? this.spawn(hint);
    slot.count += 1;
    const feed = await this.feedOf(slot);
    if (!feed || slot.dead) {
      slot.count -= 1;
      return null;
    }
    const id = crypto.randomUUID();
    this.watchers.set(id, { who, slot });
    // Everything already received is in the snapshot; the feed's batches from here on are the watcher's.
    this.host.flushOutput();
    const hello = helloFrame(who, this.host.meta(), this.host.recording());
    this.send(slot, { t: "join", id });
    void this.firstFrames().then((frames) =>
      this.send(slot, {
        t: "ready",
        id,
        // The snapshot comes right after the hello, as on the room; then which relay this is.
        frames: [hello, ...frames, relayedNotice(slot)].map((f) => JSON.stringify(f)),
      }),
    );
    this.presenceSoon();
    return { relay: slot.stub.id.toString(), key: slot.key, viewer: id };
  }

  /** The snapshot exactly as of the watcher's join (the batches after it follow on the feed), approvals. */
  private async firstFrames(): Promise<RoomFrame[]> {
    const screen = this.host.screen();
    const frames: RoomFrame[] = [];
    if (screen)
      frames.push({ t: "snapshot", data: await screen.snapshotAt(), cols: screen.cols, rows: screen.rows });
    return [...frames, ...this.host.pendingApprovals()];
  }

  /** One output batch: one frame per relay. */
  fanOut(batch: Uint8Array): void {
    for (const s of this.slots) if (s.feed && !s.dead) s.feed.send(batch);
  }

  /** A JSON frame the room broadcasts, serialised once: one message per relay. */
  broadcast(text: string): void {
    if (this.watchers.size === 0) return;
    for (const s of this.slots) this.send(s, { t: "json", text });
  }

  *identities(): Iterable<ViewerIdentity> {
    for (const w of this.watchers.values()) yield w.who;
  }

  has(userId: string): boolean {
    for (const w of this.watchers.values()) if (w.who.userId === userId) return true;
    return false;
  }

  /** The kill switch: closes the login's relayed sockets (their relays close them on the next message). */
  closeLogin(loginId: string, reason: string): number {
    const bySlot = new Map<Slot, string[]>();
    for (const [id, w] of this.watchers)
      if (w.who.loginId === loginId) bySlot.set(w.slot, [...(bySlot.get(w.slot) ?? []), id]);
    let n = 0;
    for (const [slot, ids] of bySlot) {
      this.send(slot, { t: "close", ids, code: KILLED_CLOSE_CODE, reason: reason.slice(0, 100) });
      n += ids.length;
    }
    return n;
  }

  /** The session is over: every relay closes its watchers with the reason, then its feed closes. */
  closeAll(reason: string): void {
    for (const s of this.slots) {
      this.send(s, { t: "close-all", code: 1000, reason });
      this.drop(s);
    }
  }

  private spawn(hint: LocationHint | null): Slot {
    // An unguessable id: nothing but this room can name the relay, and it keeps the key of the first feed.
    // The hint places the new object near its region's watchers (it matters only when the object is created).
    const ns = this.env.VIEWER_RELAY;
    const id = ns.newUniqueId();
    const slot: Slot = {
      n: this.slots.length + 1,
      hint,
      stub: hint ? ns.get(id, { locationHint: hint }) : ns.get(id),
      key: randomToken(32),
      feed: null,
      opening: null,
      count: 0,
      dead: false,
    };
    this.slots.push(slot);
    return slot;
  }

  private feedOf(slot: Slot): Promise<WebSocket | null> {
    if (slot.feed) return Promise.resolve(slot.feed);
    slot.opening ??= slot.stub
      .fetch("https://relay/feed", { headers: { upgrade: "websocket", [RELAY_KEY_HEADER]: slot.key } })
      .then((res) => {
        const ws = res.webSocket;
        if (res.status !== 101 || !ws) throw new Error(`relay refused its feed (${res.status})`);
        ws.accept();
        ws.addEventListener("message", (ev) => {
          const m = typeof ev.data === "string" ? parseRelayMessage(ev.data) : null;
          if (m) this.gone(m.id);
        });
        ws.addEventListener("close", () => this.drop(slot));
        ws.addEventListener("error", () => this.drop(slot));
        slot.feed = ws;
        return ws;
      })
      .catch((err) => {
        console.error(
          JSON.stringify({ level: "error", msg: "viewer relay unavailable", error: String(err) }),
        );
        slot.dead = true;
        return null;
      });
    return slot.opening;
  }

  private send(slot: Slot, m: RoomToRelay): void {
    if (!slot.feed || slot.dead) return;
    try {
      slot.feed.send(JSON.stringify(m));
    } catch {
      this.drop(slot);
    }
  }

  private gone(id: string): void {
    const w = this.watchers.get(id);
    if (!w) return;
    this.watchers.delete(id);
    w.slot.count -= 1;
    const p = this.host.participants();
    if (w.who.viewerRowId && !p.present(w.who.userId) && !this.has(w.who.userId))
      this.host.leftRow(w.who.viewerRowId);
    this.presenceSoon();
  }

  /** A relay closed or failed: its watchers are gone (their sockets closed with it; they reconnect). */
  private drop(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    try {
      slot.feed?.close(1000, "session over");
    } catch {
      // already closed
    }
    slot.feed = null;
    for (const [id, w] of this.watchers) if (w.slot === slot) this.gone(id);
  }

  /** Joins and leaves through relays come in crowds: one presence frame per 100 ms at most. */
  private presenceSoon(): void {
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.host.participants().broadcastPresence();
    }, 100);
  }
}
