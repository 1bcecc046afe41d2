// ViewerRelay: a Durable Object that serves a slice of one session's read-only watchers, fed once by the
// SessionRoom that spawned it (docs/fan-out.md). The room opens the feed (one WebSocket, feed.ts) and
// announces each watcher it places here; the Worker then brings that watcher's upgrade straight to the
// relay (so the room is on no watcher's path), which sends it nothing unless the room announced it and
// accepts it only with the key the room opened its feed with (the relay's id itself is unguessable: newUniqueId). It keeps no
// state beyond its sockets: when it restarts its viewers reconnect through the Worker and get a fresh
// snapshot from the room, and when the room goes away it closes them so they do. It answers a watcher's
// frames itself — pong to a ping, FORBIDDEN to anything else — so nothing a watcher sends reaches the
// room or the shell.
import { DurableObject } from "cloudflare:workers";
import { parseViewerFrame } from "@nostromo/protocol";
import type { Bindings } from "../env.ts";
import { ViewerSocket } from "../session-room/viewer-sockets.ts";
import {
  parseRoomMessage,
  RELAY_KEY_HEADER,
  RELAY_LOST_CLOSE_CODE,
  RELAY_VIEWER_HEADER,
  WATCH_ONLY,
} from "./feed.ts";
import { PENDING_MS, RelayViewers } from "./relay-viewers.ts";

const MAX_GARBAGE = 50;

function refuse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message, requestId: "relay" } }, { status });
}

export class ViewerRelay extends DurableObject<Bindings> {
  private key: string | null = null;
  private feed: ViewerSocket | null = null;
  private readonly viewers = new RelayViewers((id) => this.feed?.send(JSON.stringify({ t: "left", id })));

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return refuse(426, "UPGRADE_REQUIRED", "WebSocket expected");
    const key = request.headers.get(RELAY_KEY_HEADER);
    if (!key || key.length < 32) return refuse(403, "FORBIDDEN", "Not this relay's room");
    const path = new URL(request.url).pathname;
    if (path === "/feed") return this.openFeed(key);
    if (path !== "/viewer") return refuse(404, "NOT_FOUND", "No such relay path");
    const id = request.headers.get(RELAY_VIEWER_HEADER);
    if (key !== this.key || !this.feed) return refuse(403, "FORBIDDEN", "Not this relay's room");
    if (!id) return refuse(400, "VALIDATION_ERROR", "Viewer id missing");
    const pair = new WebSocketPair();
    const ws = new ViewerSocket(pair[1]);
    if (!this.viewers.add(id, ws)) return refuse(409, "INVALID_STATE", "This watcher is already attached");
    setTimeout(() => this.viewers.expire(id), PENDING_MS);
    let garbage = 0;
    ws.open({
      opened: () => this.viewers.opened(id),
      message: (data) => {
        const parsed = typeof data === "string" ? parseViewerFrame(data) : null;
        if (parsed?.ok && parsed.msg.t === "ping") return ws.send(JSON.stringify({ t: "pong" }));
        if (parsed && !parsed.ok) {
          garbage += 1;
          ws.send(JSON.stringify({ t: "error", code: "BAD_FRAME", message: parsed.error }));
          if (garbage > MAX_GARBAGE) ws.close(1008, "too many malformed frames");
          return;
        }
        ws.send(JSON.stringify({ t: "error", code: "FORBIDDEN", message: WATCH_ONLY }));
      },
      closed: () => this.viewers.remove(id),
    });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** The room's feed: the first one names the relay's key; a second, or another room's, is refused. */
  private openFeed(key: string): Response {
    if (this.feed || (this.key && this.key !== key)) return refuse(409, "INVALID_STATE", "This relay is fed");
    this.key = key;
    const pair = new WebSocketPair();
    const feed = new ViewerSocket(pair[1]);
    this.feed = feed;
    feed.open({
      opened: () => {},
      message: (data) => {
        if (typeof data !== "string") return this.viewers.batch(new Uint8Array(data));
        const m = parseRoomMessage(data);
        if (!m) return;
        this.viewers.message(m);
        if (m.t === "join") setTimeout(() => this.viewers.expire(m.id), PENDING_MS);
      },
      closed: () => {
        // The room went away (ended, restarted, evicted): viewers reconnect through the Worker and the room.
        this.feed = null;
        this.viewers.closeAll(RELAY_LOST_CLOSE_CODE, "relay lost its room: reconnect");
      },
    });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}
