// The viewer socket of a live session (GET /api/remote-sessions/:id/ws), for every client: the browser
// console, the CLI, the benchmarks and the tests. Binary frames carry terminal bytes (keystrokes in,
// output out); text frames are the JSON frames of @nostromo/protocol's viewer protocol.
// Runs in a browser with the global WebSocket (the login cookie goes along by itself; the tenant is named
// in the query string, since a browser cannot set headers on a WebSocket) and in Node 20, which has no
// global WebSocket: pass `ws`'s constructor as `WebSocket`, and headers (cookie, bearer token) as `headers`.
// A frame of a type this client does not know is handed on as it is; consumers switch on `t` and ignore
// what they do not know (the protocol's evolution rule).
import type { RoomFrame, ViewerFrame } from "@nostromo/protocol";

/** The part of the WHATWG WebSocket this client uses (the browser's, and `ws`'s in Node). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: (ev: unknown) => void): void;
  addEventListener(type: "message", listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (ev: { code: number; reason: string }) => void): void;
}

/** A WebSocket constructor; the third argument (options with headers) is `ws`'s, ignored by browsers'. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

export interface ViewerOptions {
  /** Origin of the API (http:// or https://; the socket uses ws:// or wss:// on it). */
  baseUrl: string;
  /** The session's id (uuid). */
  sessionId: string;
  /** Tenant id or subdomain: the X-Tenant-ID header where headers can be sent, else ?tenantId=. */
  tenant?: string;
  /** Extra upgrade headers (Node only): `cookie: sid=…`, `authorization: Bearer …`. */
  headers?: Record<string, string>;
  /** Defaults to the global WebSocket (browsers, Node ≥ 22). */
  WebSocket?: WebSocketConstructor;
  /** Listeners attached before the socket opens: the room sends its hello and the screen at once. */
  onOutput?: (bytes: Uint8Array) => void;
  onFrame?: (frame: RoomFrame) => void;
  onClose?: (close: ViewerClose) => void;
}

export type ViewerClose = { code: number; reason: string };

export class ViewerSocket {
  closed: ViewerClose | null = null;
  readonly #output = new Set<(bytes: Uint8Array) => void>();
  readonly #frames = new Set<(frame: RoomFrame) => void>();
  readonly #closes = new Set<(close: ViewerClose) => void>();

  private constructor(readonly ws: WebSocketLike) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", ({ data }) => {
      if (typeof data === "string") {
        const frame = parseRoomFrame(data);
        if (frame) for (const f of this.#frames) f(frame);
        return;
      }
      const bytes = toBytes(data);
      if (bytes) for (const f of this.#output) f(bytes);
    });
    ws.addEventListener("close", ({ code, reason }) => {
      this.closed = { code, reason: String(reason) };
      for (const f of this.#closes) f(this.closed);
    });
  }

  /** Resolves once the socket is open; rejects when the upgrade is refused or the socket fails. */
  static open(options: ViewerOptions): Promise<ViewerSocket> {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error("no WebSocket: on Node 20 pass ws's constructor as the WebSocket option");
    const url = new URL(`/api/remote-sessions/${encodeURIComponent(options.sessionId)}/ws`, options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const headers = { ...options.headers };
    if (options.tenant) {
      if (options.WebSocket) headers["x-tenant-id"] = options.tenant;
      else url.searchParams.set("tenantId", options.tenant);
    }
    const ws = Object.keys(headers).length > 0 ? new Ctor(url.href, [], { headers }) : new Ctor(url.href);
    const viewer = new ViewerSocket(ws);
    if (options.onOutput) viewer.onOutput(options.onOutput);
    if (options.onFrame) viewer.onFrame(options.onFrame);
    if (options.onClose) viewer.onClose(options.onClose);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(viewer));
      ws.addEventListener("error", (ev) => reject(upgradeError(ev)));
    });
  }

  onOutput(listener: (bytes: Uint8Array) => void): () => void {
    this.#output.add(listener);
    return () => this.#output.delete(listener);
  }

  onFrame(listener: (frame: RoomFrame) => void): () => void {
    this.#frames.add(listener);
    return () => this.#frames.delete(listener);
  }

  onClose(listener: (close: ViewerClose) => void): () => void {
    this.#closes.add(listener);
    return () => this.#closes.delete(listener);
  }

  /** Keystrokes (or pasted text) as terminal bytes. */
  type(input: string | Uint8Array): void {
    this.ws.send(typeof input === "string" ? new TextEncoder().encode(input) : input);
  }

  /** A control frame (resize, ping, role and typing changes, approvals). */
  send(frame: ViewerFrame): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}

/** A JSON object with a string `t`, or null (the room sends nothing else; a broken frame is dropped). */
export function parseRoomFrame(text: string): RoomFrame | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "object" && v !== null && typeof (v as { t?: unknown }).t === "string")
      return v as RoomFrame;
  } catch {
    // not JSON
  }
  return null;
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

function upgradeError(ev: unknown): Error {
  const e = (ev as { error?: unknown; message?: unknown } | null) ?? {};
  if (e.error instanceof Error) return e.error;
  return new Error(typeof e.message === "string" ? e.message : "viewer socket failed");
}
