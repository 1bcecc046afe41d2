// Minimal DER reader/writer for the few ASN.1 structures in PEM private keys (PKCS#1 RSAPrivateKey, SEC1
// ECPrivateKey, PKCS#8 PrivateKeyInfo / EncryptedPrivateKeyInfo). Hand-written: it is ~100 lines for fixed,
// known shapes, while the npm ASN.1 parsers are either Buffer-based (`asn1`) or schema frameworks far larger
// than the module that uses them. Every overrun or unexpected tag is a SSH_KEY_MALFORMED error.
import { malformed } from "./errors.ts";
import { bytesToBigInt, concatBytes } from "./wire.ts";

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  CTX0: 0xa0, // [0] constructed
  CTX1: 0xa1, // [1] constructed
  CTX1_PRIM: 0x81, // [1] primitive (PKCS#8 v2 publicKey, IMPLICIT BIT STRING)
} as const;

export interface DerElement {
  tag: number;
  content: Uint8Array;
}

export class DerReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  peekTag(): number | undefined {
    return this.buf[this.pos];
  }

  next(): DerElement {
    const tag = this.byte();
    const first = this.byte();
    let len = first;
    if (first & 0x80) {
      const n = first & 0x7f;
      // 0x80 is BER's indefinite length (not DER); more than 4 length bytes cannot be a key.
      if (n === 0 || n > 4) throw malformed(`${this.what}: unsupported ASN.1 length encoding`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.byte();
    }
    if (len > this.buf.length - this.pos) throw malformed(`${this.what} is truncated`);
    const content = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return { tag, content };
  }

  expect(tag: number): Uint8Array {
    const el = this.next();
    if (el.tag !== tag) throw malformed(`${this.what}: unexpected ASN.1 structure`);
    return el.content;
  }

  /** The next element if it has this tag, else nothing is consumed. */
  optional(tag: number): Uint8Array | undefined {
    return this.peekTag() === tag ? this.expect(tag) : undefined;
  }

  sequence(): DerReader {
    return new DerReader(this.expect(TAG.SEQUENCE), this.what);
  }

  /** Non-negative INTEGER (all integers in key structures are). */
  integer(): bigint {
    const c = this.expect(TAG.INTEGER);
    if (c.length === 0 || (c[0]! & 0x80) !== 0) throw malformed(`${this.what}: invalid ASN.1 integer`);
    return bytesToBigInt(c);
  }

  smallInt(): number {
    const n = this.integer();
    if (n > 0xffffffffn) throw malformed(`${this.what}: integer out of range`);
    return Number(n);
  }

  oid(): string {
    return decodeOid(this.expect(TAG.OID), this.what);
  }

  end(): void {
    if (!this.done) throw malformed(`${this.what} has trailing data`);
  }

  private byte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw malformed(`${this.what} is truncated`);
    return b;
  }
}

function decodeOid(c: Uint8Array, what: string): string {
  if (c.length === 0 || c.length > 64) throw malformed(`${what}: invalid OID`);
  const arcs: number[] = [];
  let v = 0;
  for (const b of c) {
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw malformed(`${what}: invalid OID`);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    }
  }
  if ((c[c.length - 1]! & 0x80) !== 0) throw malformed(`${what}: invalid OID`);
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join(".");
}

/** BIT STRING content -> its bytes; key material never has unused bits. */
export function bitStringBytes(c: Uint8Array, what: string): Uint8Array {
  if (c.length < 1 || c[0] !== 0) throw malformed(`${what}: invalid BIT STRING`);
  return c.subarray(1);
}

// --- writer: only what building a PKCS#8 blob for Web Crypto needs ---

export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else if (len < 0x100) header = [tag, 0x81, len];
  else if (len < 0x10000) header = [tag, 0x82, len >> 8, len & 0xff];
  else throw malformed("ASN.1 element too large");
  return concatBytes(new Uint8Array(header), content);
}

export const derSeq = (...parts: Uint8Array[]): Uint8Array => derTlv(TAG.SEQUENCE, concatBytes(...parts));

export function derOid(oid: string): Uint8Array {
  const arcs = oid.split(".").map(Number);
  const out: number[] = [];
  const push = (n: number): void => {
    const bytes = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return derTlv(TAG.OID, new Uint8Array(out));
}
