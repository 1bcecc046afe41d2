// Byte-level helpers for the SSH key module: strict base64, the SSH wire encoding (RFC 4251 §5: uint32,
// string, mpint) and bigint <-> bytes. Hand-written because each is a few lines and the npm options are
// built on node's Buffer; everything here works on Uint8Array so it runs the same in workerd and Node.
import { decodeBase64 } from "@nostromo/crypto";
import { malformed } from "./errors.ts";

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: whitespace is ignored (PEM line breaks), anything else outside the alphabet is refused,
 * and so is a length that is not a whole number of quads (that is how truncated input shows up). */
export function decodeStrictBase64(text: string, what: string): Uint8Array {
  const compact = text.replace(/[\t\n\r ]+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !B64_RE.test(compact)) {
    throw malformed(`${what} is not valid base64 (truncated or corrupted?)`);
  }
  const out = decodeBase64(compact);
  if (!out) throw malformed(`${what} is not valid base64`);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export const encodeUtf8 = (s: string): Uint8Array => utf8.encode(s);

/** Unsigned big-endian bytes -> bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

/** bigint >= 0 -> minimal unsigned big-endian bytes (empty for 0), or left-padded to `size`. */
export function bigIntToBytes(n: bigint, size?: number): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (n === 0n) hex = "";
  const raw = new Uint8Array(hex.length / 2);
  for (let i = 0; i < raw.length; i++) raw[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (size === undefined || raw.length === size) return raw;
  if (raw.length > size) throw malformed("integer too large for its field");
  const out = new Uint8Array(size);
  out.set(raw, size - raw.length);
  return out;
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Reader over the SSH wire encoding; every overrun is a SSH_KEY_MALFORMED error, never a RangeError. */
export class SshReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || n > this.remaining) throw malformed(`${this.what} is truncated`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  uint32(): number {
    const b = this.bytes(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  string(): Uint8Array {
    return this.bytes(this.uint32());
  }

  /** A string field that must be UTF-8 text (key type names, cipher names, comments). */
  text(): string {
    const raw = this.string();
    try {
      return utf8Strict.decode(raw);
    } catch {
      throw malformed(`${this.what} contains a text field that is not UTF-8`);
    }
  }

  /** RFC 4251 mpint; the keys we read are never negative, so a set sign bit is malformed. */
  mpint(): bigint {
    const raw = this.string();
    if (raw.length > 0 && (raw[0]! & 0x80) !== 0) throw malformed(`${this.what} has a negative integer`);
    return bytesToBigInt(raw);
  }

  end(): void {
    if (this.remaining !== 0) throw malformed(`${this.what} has trailing bytes`);
  }
}

/** Writer for the SSH wire encoding (public key blobs, the openssh-key-v1 container). */
export class SshWriter {
  private readonly parts: Uint8Array[] = [];

  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  uint32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0);
    return this.raw(b);
  }

  string(b: Uint8Array | string): this {
    const bytes = typeof b === "string" ? encodeUtf8(b) : b;
    return this.uint32(bytes.length).raw(bytes);
  }

  mpint(n: bigint): this {
    let b = bigIntToBytes(n);
    // A leading 1 bit would read as negative: prefix a zero byte (RFC 4251 §5).
    if (b.length > 0 && (b[0]! & 0x80) !== 0) b = concatBytes(new Uint8Array([0]), b);
    return this.string(b);
  }

  finish(): Uint8Array {
    return concatBytes(...this.parts);
  }
}
