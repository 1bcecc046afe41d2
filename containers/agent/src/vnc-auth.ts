// The agent's half of a VNC session's RFB handshake (RFC 6143 §7.1–7.2), run on every stream's TCP
// connection before any byte of it reaches the edge: the agent answers the server's version and security
// handshake itself — VNC Authentication (type 2) with the connection's stored password, or None (type 1)
// when the connection has no password — so the password never leaves the agent. The browser is offered
// type None by the room (workers/session-room/rfb-handshake.ts); the stream then carries RFB from
// ClientInit / ServerInit on.
//
// VNC Authentication is DES-ECB of the server's 16-byte challenge, keyed by the password's first 8 bytes
// (zero-padded) with each key byte's bits in reverse order (a quirk of the original implementation, which
// every server copies). Node 20's OpenSSL 3 has single DES only in its legacy provider (`des-ecb` throws
// "unsupported"), but 3DES-EDE with K1 = K2 = K3 is single DES (E_K ∘ D_K ∘ E_K = E_K), and des-ede3-ecb is
// in the default provider. The bit reversal is the few lines below; no npm package is needed for it.

import { createCipheriv } from "node:crypto";
import type { Socket } from "node:net";

export class VncAuthError extends Error {
  constructor(
    readonly code: "AUTH_FAILED" | "PROTOCOL" | "CONNECT_FAILED",
    message: string,
  ) {
    super(message);
  }
}

const NONE = 1;
const VNC_AUTH = 2;

/** The bits of one byte in reverse order (0x01 → 0x80, 0x02 → 0x40 …). */
export function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

/** Single DES in ECB mode, through 3DES-EDE with three equal keys (see the header). */
export function desEcb(key: Uint8Array, data: Uint8Array): Buffer {
  const k = Buffer.from(key);
  const cipher = createCipheriv("des-ede3-ecb", Buffer.concat([k, k, k]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** The answer to a VNC Authentication challenge: the challenge encrypted with the password's DES key. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const key = new Uint8Array(8);
  const bytes = Buffer.from(password, "latin1");
  for (let i = 0; i < 8; i++) key[i] = reverseBits(bytes[i] ?? 0);
  return desEcb(key, challenge);
}

/** Reads exact byte counts from a socket while the handshake runs; hands back what arrived beyond it. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.pump();
  };
  private readonly onEnd = () =>
    this.fail(new VncAuthError("PROTOCOL", "the VNC server closed the connection"));

  constructor(private readonly socket: Socket) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
  }

  read(n: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.pump();
    });
  }

  async u32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }

  async reason(): Promise<string> {
    const n = Math.min(await this.u32(), 4096);
    return (await this.read(n)).toString("utf8");
  }

  fail(err: Error): void {
    this.failed ??= err;
    const w = this.want;
    this.want = null;
    w?.reject(err);
  }

  /** Stops reading (the socket is left paused) and returns the bytes read past the handshake. */
  detach(): Buffer {
    this.socket.pause();
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    return this.buffered;
  }

  private pump(): void {
    const w = this.want;
    if (!w || this.buffered.byteLength < w.n) return;
    this.want = null;
    const out = this.buffered.subarray(0, w.n);
    this.buffered = this.buffered.subarray(w.n);
    w.resolve(out);
  }
}

/**
 * Runs the server side of the handshake on a connected socket. Resolves with any bytes the server sent
 * past it (the socket is left paused, its handshake listeners removed); rejects with a VncAuthError whose
 * message holds no secret. `timeoutMs` bounds the whole exchange.
 */
export async function vncHandshake(
  socket: Socket,
  password: string | null,
  timeoutMs = 10_000,
): Promise<Buffer> {
  const reader = new ByteReader(socket);
  const timer = setTimeout(
    () =>
      reader.fail(new VncAuthError("CONNECT_FAILED", "the VNC server did not finish its handshake in time")),
    timeoutMs,
  );
  try {
    const greeting = (await reader.read(12)).toString("latin1");
    const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(greeting);
    if (!m) throw new VncAuthError("PROTOCOL", "the server does not speak RFB");
    const minor = Number(m[1]) > 3 ? 8 : Number(m[2]);
    const version = minor >= 8 ? 8 : minor >= 7 ? 7 : 3;
    socket.write(`RFB 003.00${version}\n`);
    let type: number;
    if (version === 3) {
      type = await reader.u32();
      if (type === 0) throw new VncAuthError("PROTOCOL", `the VNC server refused: ${await reader.reason()}`);
    } else {
      const n = (await reader.read(1))[0] ?? 0;
      if (n === 0) throw new VncAuthError("PROTOCOL", `the VNC server refused: ${await reader.reason()}`);
      const offered = [...(await reader.read(n))];
      type = chooseType(offered, password);
      socket.write(Buffer.from([type]));
    }
    if (type === VNC_AUTH) {
      if (password === null)
        throw new VncAuthError(
          "AUTH_FAILED",
          "the VNC server asks for a password and the connection has none",
        );
      socket.write(vncAuthResponse(password, await reader.read(16)));
    } else if (type !== NONE) {
      throw new VncAuthError(
        "PROTOCOL",
        `the VNC server requires security type ${type}, which is not supported`,
      );
    }
    if (type === VNC_AUTH || version === 8) {
      const result = await reader.u32();
      if (result !== 0) {
        const why = version === 8 ? await reader.reason().catch(() => "") : "";
        throw new VncAuthError("AUTH_FAILED", `the VNC server refused the password${why ? `: ${why}` : ""}`);
      }
    }
    return reader.detach();
  } catch (err) {
    reader.detach();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** VNC Authentication when there is a password and the server offers it, else None, else refused. */
function chooseType(offered: number[], password: string | null): number {
  if (password !== null && offered.includes(VNC_AUTH)) return VNC_AUTH;
  if (offered.includes(NONE)) return NONE;
  if (offered.includes(VNC_AUTH))
    throw new VncAuthError("AUTH_FAILED", "the VNC server asks for a password and the connection has none");
  throw new VncAuthError(
    "PROTOCOL",
    `the VNC server offers no supported security type (${offered.join(", ")})`,
  );
}
