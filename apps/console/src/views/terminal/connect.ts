// One viewer socket to a session room: terminal bytes both ways as binary frames, room events as JSON text
// frames, a ping every 5 s to show the round trip to the edge, the owner's window size sent as resize, and
// the owner's and approvers' requests (hand typing over, approve a held command).
import { sessionSocketUrl } from "../../api/index.ts";
import { type RoomEvent, readRoomFrame } from "./room-frames.ts";

export interface SessionLink {
  send(bytes: string): void;
  resize(cols: number, rows: number): void;
  setTyping(userId: string, canType: boolean): void;
  approve(commandId: string, approve: boolean): void;
  close(): void;
}

export interface LinkHandlers {
  bytes(data: Uint8Array): void;
  event(e: RoomEvent): void;
  latency(ms: number): void;
  /** The socket closed without close() being called (it dropped, or the server closed it). */
  closed(code: number, reason: string): void;
}

const PING_EVERY_MS = 5_000;

export function connect(sessionId: string, on: LinkHandlers): SessionLink {
  const ws = new WebSocket(sessionSocketUrl(sessionId));
  ws.binaryType = "arraybuffer";
  const encoder = new TextEncoder();
  let pingSentAt = 0;
  let closedByUs = false;
  const sendJson = (frame: Record<string, unknown>) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };
  const ping = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    pingSentAt = performance.now();
    sendJson({ t: "ping" });
  };
  const timer = setInterval(ping, PING_EVERY_MS);
  ws.addEventListener("open", ping);
  ws.addEventListener("message", (m) => {
    if (m.data instanceof ArrayBuffer) return on.bytes(new Uint8Array(m.data));
    const e = readRoomFrame(String(m.data));
    if (!e) return;
    if (e.t === "pong" && pingSentAt) on.latency(Math.round(performance.now() - pingSentAt));
    else on.event(e);
  });
  ws.addEventListener("close", (c) => {
    clearInterval(timer);
    if (!closedByUs) on.closed(c.code, c.reason);
  });
  return {
    send(bytes) {
      if (ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(bytes));
    },
    resize: (cols, rows) => sendJson({ t: "resize", cols, rows }),
    setTyping: (userId, canType) => sendJson({ t: "set-typing", userId, canType }),
    approve: (commandId, approve) => sendJson({ t: "approve", commandId, approve }),
    close() {
      closedByUs = true;
      clearInterval(timer);
      ws.close();
    },
  };
}
