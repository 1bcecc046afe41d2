// The room's side of one browser's RFB connection (RFC 6143) in a VNC session: it plays the server's part
// of the handshake towards the browser — version, then security type None (1): the VNC server's own
// authentication is answered by the agent with the stored password (containers/agent/src/vnc-auth.ts), so
// the browser never needs it — and then reads the browser's client-to-server messages one by one, so that
// input (KeyEvent, PointerEvent, ClientCutText and the extensions that act on the desktop) is forwarded
// only from a participant who may type. An unknown message type cannot be skipped (RFB messages carry no
// length), so it closes the stream with a reason. SetEncodings is rewritten to the encodings the room can
// walk in the server's stream (rfb-server.ts), without Extended Clipboard when clipboard transfer is off.
// Pure: bytes in, bytes out; vnc-relay.ts wires it.
//
// Browser                 room (this)                       agent → VNC server
//  ◀── "RFB 003.008\n"
//  ── version ──▶
//  ◀── [1, None]
//  ── None ──▶            (waits for the agent's stream: its own handshake with the server passed)
//  ◀── SecurityResult 0   ◀──────────────────── tcp.opened
//  ── ClientInit ──▶      shared flag forced to 1 ──────▶  (x11vnc -shared; never kick the others off)
//  ◀──────────────────────────── ServerInit, updates… (relayed as they come)
//  ── messages ──▶        parsed; input dropped unless the participant may type ──▶

import { allowedEncodings } from "./rfb-server.ts";

/** What a client-to-server message is, for the decision to forward it. */
export type RfbMessageKind = "setup" | "input" | "clipboard";

export const MAX_CLIPBOARD_BYTES = 1024 * 1024;

const SERVER_VERSION = "RFB 003.008\n";
const SECURITY_NONE = 1;

export interface RfbClientOut {
  toClient(bytes: Uint8Array): void;
  toServer(bytes: Uint8Array): void;
  /** The stream must end: the reason is for the browser (and the logs). */
  close(reason: string): void;
  /** The browser set its pixel format (SetPixelFormat, forwarded): the server stream's reader needs it. */
  pixelFormat?(msg: Uint8Array): void;
  /** A message was dropped (the participant may not type, or clipboard transfer is off). */
  dropped?(kind: RfbMessageKind, type: number): void;
}

export interface RfbPolicy {
  mayType(): boolean;
  clipboard(): boolean;
}

/** The length of the client message at the start of `b`, its kind, or why it cannot be read; null when
 * more bytes are needed to know. */
export function clientMessage(
  b: Uint8Array,
): { length: number; kind: RfbMessageKind; type: number } | { error: string } | null {
  if (b.byteLength < 1) return null;
  const type = b[0] ?? 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const need = (n: number) => b.byteLength >= n;
  switch (type) {
    case 0: // SetPixelFormat
      return { length: 20, kind: "setup", type };
    case 2: // SetEncodings: 4 + 4 per encoding
      return need(4) ? { length: 4 + 4 * dv.getUint16(2), kind: "setup", type } : null;
    case 3: // FramebufferUpdateRequest
      return { length: 10, kind: "setup", type };
    case 4: // KeyEvent
      return { length: 8, kind: "input", type };
    case 5: // PointerEvent
      return { length: 6, kind: "input", type };
    case 6: {
      // ClientCutText: 8 + text length; a negative length is the Extended Clipboard form (noVNC announces
      // its capabilities so), whose payload is that many bytes.
      if (!need(8)) return null;
      const n = Math.abs(dv.getInt32(4));
      if (n > MAX_CLIPBOARD_BYTES) return { error: `clipboard text over ${MAX_CLIPBOARD_BYTES} bytes` };
      return { length: 8 + n, kind: "clipboard", type };
    }
    case 150: // EnableContinuousUpdates
      return { length: 10, kind: "setup", type };
    case 248: // ClientFence: 9 + payload (≤ 64)
      return need(9) ? { length: 9 + Math.min(b[8] ?? 0, 64), kind: "setup", type } : null;
    case 250: // xvp (shutdown, reboot, reset): acts on the machine
      return { length: 4, kind: "input", type };
    case 251: // SetDesktopSize: 8 + 16 per screen; changes everybody's desktop
      return need(7) ? { length: 8 + 16 * (b[6] ?? 0), kind: "input", type } : null;
    case 255: // QEMU client message: only the extended key event (sub-type 0) is known
      if (!need(2)) return null;
      return b[1] === 0 ? { length: 12, kind: "input", type } : { error: `unknown QEMU message ${b[1]}` };
    default:
      return { error: `unknown RFB message type ${type}` };
  }
}

type Phase = "version" | "security" | "waiting" | "init" | "messages" | "closed";

export class RfbClient {
  private phase: Phase = "version";
  private minor = 8;
  private buf: Uint8Array = new Uint8Array(0);
  private serverReady = false;
  /** Bytes for the server read before its stream was ready (ClientInit of a 3.3/3.7 client). */
  private pending: Uint8Array[] = [];

  constructor(
    private readonly out: RfbClientOut,
    private readonly policy: RfbPolicy,
  ) {}

  /** The server's greeting: call once the browser's socket is open. */
  start(): void {
    this.out.toClient(new TextEncoder().encode(SERVER_VERSION));
  }

  /** The agent's stream to the VNC server passed its handshake. */
  ready(): void {
    if (this.serverReady || this.phase === "closed") return;
    this.serverReady = true;
    if (this.phase === "waiting" && this.minor === 8) this.out.toClient(new Uint8Array(4));
    if (this.phase === "waiting") this.phase = "init";
    for (const p of this.pending.splice(0)) this.out.toServer(p);
    this.drain();
  }

  /** The agent could not open the stream (the server refused the password, is down…). */
  refused(reason: string): void {
    if (this.phase === "closed") return;
    if (this.phase === "waiting" && this.minor === 8) {
      const text = new TextEncoder().encode(reason);
      const failed = new Uint8Array(8 + text.byteLength);
      const dv = new DataView(failed.buffer);
      dv.setUint32(0, 1);
      dv.setUint32(4, text.byteLength);
      failed.set(text, 8);
      this.out.toClient(failed);
    }
    this.fail(reason);
  }

  /** Bytes the browser sent. */
  push(data: Uint8Array): void {
    if (this.phase === "closed") return;
    const merged = new Uint8Array(this.buf.byteLength + data.byteLength);
    merged.set(this.buf);
    merged.set(data, this.buf.byteLength);
    this.buf = merged;
    this.drain();
  }

  private drain(): void {
    for (;;) {
      if (this.phase === "version") {
        if (this.buf.byteLength < 12) return;
        const v = /^RFB 003\.00([378])\n$/.exec(new TextDecoder().decode(this.take(12)));
        if (!v) {
          this.fail("the browser does not speak RFB 3.3, 3.7 or 3.8");
          return;
        }
        this.minor = Number(v[1]);
        if (this.minor === 3) {
          this.out.toClient(new Uint8Array([0, 0, 0, SECURITY_NONE]));
          this.phase = this.serverReady ? "init" : "waiting";
        } else {
          this.out.toClient(new Uint8Array([1, SECURITY_NONE]));
          this.phase = "security";
        }
        continue;
      }
      if (this.phase === "security") {
        if (this.buf.byteLength < 1) return;
        if (this.take(1)[0] !== SECURITY_NONE) {
          this.fail("the browser chose a security type not offered");
          return;
        }
        this.phase = "waiting";
        if (this.serverReady) {
          if (this.minor === 8) this.out.toClient(new Uint8Array(4));
          this.phase = "init";
        }
        continue;
      }
      if (this.phase === "waiting") {
        // RFB 3.3/3.7 with None has no SecurityResult: the ClientInit may come before the server is ready.
        if (this.minor === 8 || this.buf.byteLength < 1) return;
        this.pending.push(new Uint8Array([1]));
        this.take(1);
        this.phase = "messages";
        continue;
      }
      if (this.phase === "init") {
        if (this.buf.byteLength < 1) return;
        this.take(1);
        this.toServer(new Uint8Array([1]));
        this.phase = "messages";
        continue;
      }
      if (this.phase !== "messages") return;
      const m = clientMessage(this.buf);
      if (!m) return;
      if ("error" in m) {
        this.fail(m.error);
        return;
      }
      if (this.buf.byteLength < m.length) return;
      const msg = this.take(m.length);
      const allowed =
        m.kind === "setup" ||
        (m.kind === "input" && this.policy.mayType()) ||
        (m.kind === "clipboard" && this.policy.mayType() && this.policy.clipboard());
      if (!allowed) this.out.dropped?.(m.kind, m.type);
      else if (m.type === 2) this.toServer(allowedEncodings(msg, this.policy.clipboard()));
      else {
        if (m.type === 0) this.out.pixelFormat?.(msg);
        this.toServer(msg);
      }
    }
  }

  private toServer(bytes: Uint8Array): void {
    if (this.serverReady) this.out.toServer(bytes);
    else this.pending.push(bytes);
  }

  private take(n: number): Uint8Array {
    const head = this.buf.slice(0, n);
    this.buf = this.buf.subarray(n);
    return head;
  }

  private fail(reason: string): void {
    this.phase = "closed";
    this.buf = new Uint8Array(0);
    this.pending = [];
    this.out.close(reason);
  }
}
