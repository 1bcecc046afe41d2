// Key material as the SSH key module sees it, whatever file format it came from: the SSH public key blob
// (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709), its SHA256 fingerprint, key sizes, and the checks that the private
// half really belongs to the public half (public keys are derived with Web Crypto, never trusted as stated).
import { sha256 } from "@noble/hashes/sha2.js";
import { decodeBase64, encodeBase64 } from "@nostromo/crypto";
import { derOid, derSeq, derTlv, TAG } from "./der.ts";
import { malformed, type SshKeyError, unsupported } from "./errors.ts";
import { bitLength, bytesEqual, concatBytes, SshReader, SshWriter } from "./wire.ts";

export type SshKeyType = "ed25519" | "rsa" | "ecdsa-nistp256" | "ecdsa-nistp384" | "ecdsa-nistp521";

export type CurveName = "nistp256" | "nistp384" | "nistp521";

export interface CurveInfo {
  name: CurveName;
  jwk: "P-256" | "P-384" | "P-521";
  oid: string;
  /** Bytes in a field element / private scalar. */
  size: number;
  bits: number;
}

export const CURVES: Record<CurveName, CurveInfo> = {
  nistp256: { name: "nistp256", jwk: "P-256", oid: "1.2.840.10045.3.1.7", size: 32, bits: 256 },
  nistp384: { name: "nistp384", jwk: "P-384", oid: "1.3.132.0.34", size: 48, bits: 384 },
  nistp521: { name: "nistp521", jwk: "P-521", oid: "1.3.132.0.35", size: 66, bits: 521 },
};

export function curveByOid(oid: string): CurveInfo {
  const c = Object.values(CURVES).find((x) => x.oid === oid);
  if (!c) throw unsupported(`elliptic curve ${oid} (only NIST P-256, P-384 and P-521 are supported)`);
  return c;
}

export type KeyMaterial =
  | { kind: "ed25519"; seed: Uint8Array; pub: Uint8Array }
  | { kind: "rsa"; n: bigint; e: bigint; d: bigint; iqmp: bigint; p: bigint; q: bigint }
  | { kind: "ecdsa"; curve: CurveInfo; d: Uint8Array; q: Uint8Array };

/** OpenSSH refuses RSA moduli under 1024 bits (SSH_RSA_MINIMUM_MODULUS_SIZE) and OpenSSL over 16384. */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;

export function sshKeyType(m: KeyMaterial): SshKeyType {
  return m.kind === "ecdsa" ? `ecdsa-${m.curve.name}` : m.kind;
}

/** The key type name on the wire and in public key lines. */
export function sshAlgName(m: KeyMaterial): string {
  if (m.kind === "ed25519") return "ssh-ed25519";
  if (m.kind === "rsa") return "ssh-rsa";
  return `ecdsa-sha2-${m.curve.name}`;
}

/** Key size as ssh-keygen reports it (sshkey_size): modulus bits for RSA, curve bits for ECDSA, 256. */
export function keyBits(m: KeyMaterial): number {
  if (m.kind === "ed25519") return 256;
  if (m.kind === "rsa") return bitLength(m.n);
  return m.curve.bits;
}

export function publicBlob(m: KeyMaterial): Uint8Array {
  const w = new SshWriter().string(sshAlgName(m));
  if (m.kind === "ed25519") w.string(m.pub);
  else if (m.kind === "rsa") w.mpint(m.e).mpint(m.n);
  else w.string(m.curve.name).string(m.q);
  return w.finish();
}

/** `SHA256:` + unpadded base64 of SHA-256(blob): ssh-keygen's default fingerprint. */
export function fingerprintOfBlob(blob: Uint8Array): string {
  return `SHA256:${encodeBase64(sha256(blob)).replace(/=+$/, "")}`;
}

export interface PublicKeyInfo {
  type: SshKeyType;
  alg: string;
  bits: number;
}

/** Validates a public key blob (as found in a public key line or an openssh-key-v1 header). */
export function parsePublicBlob(blob: Uint8Array): PublicKeyInfo {
  const r = new SshReader(blob, "public key");
  const alg = r.text();
  let info: PublicKeyInfo;
  if (alg === "ssh-ed25519") {
    if (r.string().length !== 32) throw malformed("ed25519 public key must be 32 bytes");
    info = { type: "ed25519", alg, bits: 256 };
  } else if (alg === "ssh-rsa") {
    const e = r.mpint();
    const n = r.mpint();
    checkRsaPublic(n, e);
    info = { type: "rsa", alg, bits: bitLength(n) };
  } else if (alg.startsWith("ecdsa-sha2-")) {
    const curve = curveBySshName(alg.slice("ecdsa-sha2-".length));
    if (r.text() !== curve.name) throw malformed("ECDSA public key names a different curve than its type");
    checkPoint(curve, r.string());
    info = { type: `ecdsa-${curve.name}`, alg, bits: curve.bits };
  } else {
    throw unsupportedAlg(alg);
  }
  r.end();
  return info;
}

export function unsupportedAlg(alg: string): SshKeyError {
  if (alg === "ssh-dss") return unsupported("DSA keys (ssh-dss) are obsolete and not supported");
  if (alg.includes("-cert-")) return unsupported("certificates are not supported; supply the plain key");
  if (alg.startsWith("sk-")) return unsupported("FIDO security-key (sk-*) keys have no portable private key");
  return unsupported(`key type "${alg.slice(0, 64)}" (supported: ed25519, rsa, ecdsa nistp256/384/521)`);
}

export function curveBySshName(name: string): CurveInfo {
  const c = (CURVES as Record<string, CurveInfo | undefined>)[name];
  if (!c) throw unsupportedAlg(`ecdsa-sha2-${name}`);
  return c;
}

function checkPoint(curve: CurveInfo, q: Uint8Array): void {
  // Uncompressed SEC1 point only: OpenSSH never writes compressed points.
  if (q.length !== 1 + 2 * curve.size || q[0] !== 0x04) throw malformed("ECDSA public point is not valid");
}

export function checkRsaPublic(n: bigint, e: bigint): void {
  if (n % 2n === 0n || e < 3n || e % 2n === 0n) throw malformed("RSA public key is not valid");
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS)
    throw unsupported(`RSA keys must have at least ${RSA_MIN_BITS} bits (this one: ${bits})`);
  if (bits > RSA_MAX_BITS)
    throw unsupported(`RSA keys may have at most ${RSA_MAX_BITS} bits (this one: ${bits})`);
}

// --- private-half checks ---

/** Thrown when a private key does not match its public key; callers that decrypted the key with an
 * unauthenticated cipher turn it into SSH_KEY_BAD_PASSPHRASE. */
export class KeyMismatch extends Error {}

const ED25519_PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function fromB64url(s: string | undefined): Uint8Array {
  if (!s) throw new KeyMismatch("no public value");
  const bytes = decodeBase64(s);
  if (!bytes) throw new KeyMismatch("public value is not base64url");
  return bytes;
}

/** Ed25519 public key of a 32-byte seed, via Web Crypto (import PKCS#8, export JWK `x`). */
export async function ed25519PublicFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  if (seed.length !== 32) throw new KeyMismatch("ed25519 seed must be 32 bytes");
  let jwk: JsonWebKey;
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      concatBytes(ED25519_PKCS8_PREFIX, seed),
      { name: "Ed25519" },
      true,
      ["sign"],
    );
    jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  } catch {
    throw new KeyMismatch("ed25519 private key rejected");
  }
  return fromB64url(jwk.x);
}

/** Uncompressed public point of an ECDSA private scalar, via Web Crypto. The scalar goes in as a PKCS#8 blob
 * without the optional public key, so the runtime computes d·G itself (and rejects d outside [1, n-1]). */
export async function ecdsaPublicFromPrivate(curve: CurveInfo, d: Uint8Array): Promise<Uint8Array> {
  const ecPrivateKey = derSeq(derTlv(TAG.INTEGER, new Uint8Array([1])), derTlv(TAG.OCTET_STRING, d));
  const pkcs8 = derSeq(
    derTlv(TAG.INTEGER, new Uint8Array([0])),
    derSeq(derOid("1.2.840.10045.2.1"), derOid(curve.oid)),
    derTlv(TAG.OCTET_STRING, ecPrivateKey),
  );
  let jwk: JsonWebKey;
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      { name: "ECDSA", namedCurve: curve.jwk },
      true,
      ["sign"],
    );
    jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  } catch {
    throw new KeyMismatch("ECDSA private scalar rejected");
  }
  return concatBytes(new Uint8Array([4]), fromB64url(jwk.x), fromB64url(jwk.y));
}

/**
 * Completes and checks key material read from a file: derives the public half from the private half and,
 * when the file also stated a public half, requires them to be equal. Throws KeyMismatch.
 */
export async function verifyMaterial(m: KeyMaterial): Promise<KeyMaterial> {
  if (m.kind === "ed25519") {
    const pub = await ed25519PublicFromSeed(m.seed);
    if (m.pub.length > 0 && !bytesEqual(pub, m.pub)) throw new KeyMismatch("ed25519 public key mismatch");
    return { ...m, pub };
  }
  if (m.kind === "ecdsa") {
    const d = fixedSize(m.d, m.curve.size);
    const q = await ecdsaPublicFromPrivate(m.curve, d);
    if (m.q.length > 0 && !bytesEqual(q, m.q)) throw new KeyMismatch("ECDSA public key mismatch");
    return { ...m, d, q };
  }
  // RSA: p·q = n catches a corrupt or wrongly decrypted key; bits and e are checked like a public key.
  if (m.p * m.q !== m.n || m.d <= 0n || m.iqmp <= 0n) throw new KeyMismatch("RSA private key inconsistent");
  checkRsaPublic(m.n, m.e);
  return m;
}

/** Private scalars are sometimes stored without leading zeros (or with an extra one); normalise to `size`. */
function fixedSize(d: Uint8Array, size: number): Uint8Array {
  let start = 0;
  while (d.length - start > size && d[start] === 0) start++;
  const t = d.subarray(start);
  if (t.length > size) throw new KeyMismatch("ECDSA private scalar too long");
  return t.length === size ? t : concatBytes(new Uint8Array(size - t.length), t);
}
