// The feed between a SessionRoom and one of its ViewerRelays (docs/fan-out.md): one WebSocket the room
// opens to the relay, so everything the room tells the relay arrives in the order it was sent. Output
// batches travel as binary frames, unchanged (the relay forwards the same bytes); everything else is a
// small JSON text frame. Kept apart, pure, so both ends read the same definition and it is unit-tested.

/** Room → relay. */
export type RoomToRelay =
  /** From here on, keep the feed's batches for this viewer (the snapshot being made covers all before). */
  | { t: "join"; id: string }
  /** The viewer's first frames (hello, snapshot as of its join, held approvals): send them, then the rest. */
  | { t: "ready"; id: string; frames: string[] }
  /** A JSON frame (presence, status, notice…) for every viewer of the relay, already serialised. */
  | { t: "json"; text: string }
  /** Close these viewers (the kill switch, a login's deactivation). */
  | { t: "close"; ids: string[]; code: number; reason: string }
  /** The session is over: close every viewer. */
  | { t: "close-all"; code: number; reason: string };

/** Relay → room. */
export type RelayToRoom = { t: "left"; id: string };

/** The room names its relay feed with this header; viewers attached to the relay must carry the same key. */
export const RELAY_KEY_HEADER = "x-nostromo-relay-key";
/** The room's id for a viewer it hands to a relay. */
export const RELAY_VIEWER_HEADER = "x-nostromo-relay-viewer";

/** The close code a relay's viewers get when it loses its room: reconnect (and get a fresh snapshot). */
export const RELAY_LOST_CLOSE_CODE = 1012;

/** What a relayed watcher is told when it sends anything but a ping (tests read it to know the path). */
export const WATCH_ONLY = "You watch this session through a relay: you may not type or act on it";

const ROOM_KINDS = new Set(["join", "ready", "json", "close", "close-all"]);

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === "string");
}

/** A room message, or null when it is not one (a relay ignores what it does not understand). */
export function parseRoomMessage(text: string): RoomToRelay | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== "object" || m === null) return null;
  const f = m as Record<string, unknown>;
  if (typeof f.t !== "string" || !ROOM_KINDS.has(f.t)) return null;
  switch (f.t) {
    case "join":
      return typeof f.id === "string" ? { t: "join", id: f.id } : null;
    case "ready":
      return typeof f.id === "string" && isStrings(f.frames)
        ? { t: "ready", id: f.id, frames: f.frames }
        : null;
    case "json":
      return typeof f.text === "string" ? { t: "json", text: f.text } : null;
    case "close":
      return isStrings(f.ids) && typeof f.code === "number" && typeof f.reason === "string"
        ? { t: "close", ids: f.ids, code: f.code, reason: f.reason }
        : null;
    default:
      return typeof f.code === "number" && typeof f.reason === "string"
        ? { t: "close-all", code: f.code, reason: f.reason }
        : null;
  }
}

/** A relay message, or null. */
export function parseRelayMessage(text: string): RelayToRoom | null {
  try {
    const m = JSON.parse(text) as Record<string, unknown> | null;
    return m && m.t === "left" && typeof m.id === "string" ? { t: "left", id: m.id } : null;
  } catch {
    return null;
  }
}
