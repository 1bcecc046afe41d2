// SSH key handling for the /api/ssh-keys resource: import a private key (OpenSSH or PEM, optionally
// passphrase-protected), generate an ed25519 key, and compute what gets stored — the OpenSSH public key line,
// the SHA256 fingerprint exactly as `ssh-keygen -lf` prints it, type, bits, and the private key text for the
// agent (ssh2). Pure: no I/O, no storage (encryption at rest is the caller's). Runs in workerd and Node.
// File formats live in ./ssh-keys/ (openssh.ts, pem.ts); see docs/ssh-keys.md.

import { encodeBase64 } from "@nostromo/crypto";
import { badPassphrase, malformed, SshKeyError, unsupported } from "./ssh-keys/errors.ts";
import {
  ed25519PublicFromSeed,
  fingerprintOfBlob,
  type KeyMaterial,
  KeyMismatch,
  keyBits,
  parsePublicBlob,
  publicBlob,
  type SshKeyType,
  sshAlgName,
  sshKeyType,
  verifyMaterial,
} from "./ssh-keys/keys.ts";
import { armour, decodeOpenSsh, encodeOpenSsh } from "./ssh-keys/openssh.ts";
import {
  afterDecryption,
  decryptLegacyPem,
  decryptPkcs8,
  type PemBlock,
  parsePemBlock,
  parsePkcs1,
  parsePkcs8,
  parseSec1,
} from "./ssh-keys/pem.ts";
import { decodeStrictBase64 } from "./ssh-keys/wire.ts";

export type { SshKeyErrorCode } from "./ssh-keys/errors.ts";
export type { SshKeyType } from "./ssh-keys/keys.ts";
export { SshKeyError };

export interface ParsedSshKey {
  type: SshKeyType;
  bits: number;
  /** OpenSSH one-line public key: `ssh-ed25519 AAAA… comment` (no trailing space without a comment). */
  publicKey: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  comment: string;
  /**
   * Private key text to store (encrypted at rest by the caller) and hand to the agent's ssh2. Always a format
   * ssh2's `utils.parseKey` reads: the supplied block re-armoured (same bytes, standard line wrapping) when
   * ssh2 reads that format, otherwise (PKCS#8, chacha20-poly1305 OpenSSH keys) re-encoded as an unencrypted
   * openssh-key-v1 key.
   */
  privateKey: string;
  /** `privateKey` needs the passphrase to be used: the caller must store the passphrase too. */
  encrypted: boolean;
}

/** An RSA 16384-bit key in OpenSSH format is ~12 KiB; anything much larger is not a key. Checked before any
 * parsing so a pasted megabyte is refused in constant time. */
export const MAX_KEY_TEXT_LENGTH = 64 * 1024;
const MAX_PUBLIC_KEY_LINE_LENGTH = 16 * 1024;

interface Decoded {
  material: KeyMaterial;
  embeddedComment: string;
  /** Stored text, or null when the key must be re-encoded as unencrypted OpenSSH (after the comment is known). */
  keptText: string | null;
  encrypted: boolean;
}

/**
 * Imports a private key. `passphrase` is ignored for unencrypted keys. `comment`, when non-empty, replaces
 * the comment embedded in an OpenSSH key file (PEM files have none) in `publicKey`/`comment`.
 * Throws SshKeyError only.
 */
export async function importPrivateKey(
  text: string,
  passphrase?: string | null,
  comment?: string,
): Promise<ParsedSshKey> {
  try {
    const d = await decode(text, passphrase || null);
    const c = sanitizeComment(comment) || sanitizeComment(d.embeddedComment);
    return describe(d.material, c, d.keptText ?? encodeOpenSsh(d.material, c), d.encrypted);
  } catch (e) {
    if (e instanceof SshKeyError) throw e;
    // A parser bug must not surface as a 500 with a stack trace: the input is what was wrong with it.
    throw malformed("the key could not be parsed");
  }
}

/** Generates an ed25519 key (Web Crypto randomness and key derivation), returned as an unencrypted
 * openssh-key-v1 private key that ssh-keygen and ssh2 read. */
export async function generateEd25519(comment?: string): Promise<ParsedSshKey> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const pub = await ed25519PublicFromSeed(seed);
  const material: KeyMaterial = { kind: "ed25519", seed, pub };
  const c = sanitizeComment(comment);
  return describe(material, c, encodeOpenSsh(material, c), false);
}

/** `SHA256:…` fingerprint of an OpenSSH public key line (`type base64 [comment]`). */
export async function fingerprintOfPublicKey(line: string): Promise<string> {
  return parseOpenSshPublicKey(line).fingerprint;
}

const KEYGEN_LABEL: Record<SshKeyType, string> = {
  ed25519: "ED25519",
  rsa: "RSA",
  "ecdsa-nistp256": "ECDSA",
  "ecdsa-nistp384": "ECDSA",
  "ecdsa-nistp521": "ECDSA",
};

/** The line `ssh-keygen -lf key.pub` prints: `256 SHA256:… comment (ED25519)`; ssh-keygen writes
 * "no comment" when the key has none. */
export function keygenLine(k: Pick<ParsedSshKey, "bits" | "fingerprint" | "comment" | "type">): string {
  return `${k.bits} ${k.fingerprint} ${k.comment || "no comment"} (${KEYGEN_LABEL[k.type]})`;
}

export interface OpenSshPublicKey {
  type: SshKeyType;
  /** Wire algorithm name: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, … */
  algorithm: string;
  /** Base64 of the public key blob, as in the line. */
  blob: string;
  bits: number;
  comment: string;
  fingerprint: string;
  /** Canonical line: `algorithm blob[ comment]`. */
  line: string;
}

const KEY_TYPE_RE = /^(ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-\S+|sk-\S+|\S+-cert-v0\d@openssh\.com)$/;

/**
 * Validates one OpenSSH public key line (`ssh-ed25519 AAAA… comment`), e.g. a host key to pin. The blob is
 * decoded and checked (its type must match the line's, sizes must be right), so the fingerprint is of a real
 * key. Synchronous (SHA-256 from @noble/hashes) so pinning code can call it anywhere. Throws SshKeyError.
 */
export function parseOpenSshPublicKey(line: string): OpenSshPublicKey {
  if (typeof line !== "string") throw malformed("expected an OpenSSH public key line");
  if (line.length > MAX_PUBLIC_KEY_LINE_LENGTH) throw malformed("public key line is too long");
  const t = line.replace(/^\uFEFF/, "").trim();
  if (/[\r\n]/.test(t)) throw malformed("expected a single public key line");
  if (t.startsWith("-----BEGIN") || t.startsWith("PuTTY-User-Key-File")) {
    throw malformed("this is a private key file, not an OpenSSH public key line");
  }
  const parts = t.split(/[ \t]+/);
  const [alg = "", b64 = ""] = parts;
  if (!KEY_TYPE_RE.test(alg)) {
    if (parts[1] !== undefined && KEY_TYPE_RE.test(parts[1])) {
      throw malformed("this looks like a known_hosts / ssh-keyscan line: remove the leading host name");
    }
    throw malformed('expected "<type> <base64> [comment]", e.g. "ssh-ed25519 AAAAC3Nza… user@host"');
  }
  const blob = decodeStrictBase64(b64, "public key");
  const info = parsePublicBlob(blob);
  if (info.alg !== alg) throw malformed(`the line says ${alg.slice(0, 64)} but the key is ${info.alg}`);
  const comment = sanitizeComment(parts.slice(2).join(" "));
  const canonicalBlob = encodeBase64(blob);
  return {
    type: info.type,
    algorithm: info.alg,
    blob: canonicalBlob,
    bits: info.bits,
    comment,
    fingerprint: fingerprintOfBlob(blob),
    line: comment ? `${info.alg} ${canonicalBlob} ${comment}` : `${info.alg} ${canonicalBlob}`,
  };
}

// --- internals ---

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]+/g;

/** Control characters would break the one-line public key format; they become spaces. */
function sanitizeComment(c: string | undefined | null): string {
  if (typeof c !== "string") return "";
  return c.replace(CONTROL_CHARS, " ").trim().slice(0, 1024);
}

function describe(m: KeyMaterial, comment: string, privateKey: string, encrypted: boolean): ParsedSshKey {
  const blob = publicBlob(m);
  const b64 = encodeBase64(blob);
  return {
    type: sshKeyType(m),
    bits: keyBits(m),
    publicKey: comment ? `${sshAlgName(m)} ${b64} ${comment}` : `${sshAlgName(m)} ${b64}`,
    fingerprint: fingerprintOfBlob(blob),
    comment,
    privateKey,
    encrypted,
  };
}

const PUBLIC_LINE_RE = /^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-|sk-)\S*[ \t]+AAAA/;

/** Recognisable things that are not private keys get a message saying what they are. */
function refuseNonPrivate(t: string): void {
  if (PUBLIC_LINE_RE.test(t) || t.startsWith("---- BEGIN SSH2 PUBLIC KEY")) {
    throw malformed(
      "this is a public key; paste the private key file (e.g. ~/.ssh/id_ed25519, not the .pub)",
    );
  }
  if (t.startsWith("PuTTY-User-Key-File-")) {
    throw unsupported("PuTTY .ppk files; convert with `puttygen key.ppk -O private-openssh -o key`");
  }
  if (t.startsWith("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY")) {
    throw unsupported("ssh.com (SECSH) private keys; convert with `ssh-keygen -i -f key`");
  }
}

function pemHeaders(block: PemBlock): string {
  if (block.headers.size === 0) return "";
  return `${[...block.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n`;
}

async function decode(text: string, passphrase: string | null): Promise<Decoded> {
  if (typeof text !== "string") throw malformed("expected the text of a PEM or OpenSSH private key");
  if (text.length > MAX_KEY_TEXT_LENGTH) {
    throw malformed(
      `the key text is larger than ${MAX_KEY_TEXT_LENGTH} characters; this is not a private key`,
    );
  }
  const t = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .trim();
  if (t.length === 0) throw malformed("the key text is empty");
  refuseNonPrivate(t);
  const block = parsePemBlock(t);

  switch (block.label) {
    case "OPENSSH PRIVATE KEY": {
      if (block.headers.size > 0) throw malformed("OpenSSH private keys have no PEM headers");
      const k = await decodeOpenSsh(block.body, passphrase);
      // ssh2 cannot decrypt chacha20-poly1305 key files (it needs OpenSSH's 64-bit-nonce ChaCha20):
      // those are stored re-encoded, unencrypted. Every other OpenSSH cipher is kept as supplied.
      const keep = k.cipher !== "chacha20-poly1305@openssh.com";
      return {
        material: k.material,
        embeddedComment: k.comment,
        keptText: keep ? armour(block.label, block.body, 70) : null,
        encrypted: keep && k.cipher !== "none",
      };
    }
    case "RSA PRIVATE KEY":
    case "EC PRIVATE KEY": {
      // Traditional OpenSSL formats (ssh-keygen -m PEM): ssh2 reads them, legacy encryption included.
      const { der, encrypted } = decryptLegacyPem(block, passphrase);
      const parse = (): KeyMaterial => (block.label === "RSA PRIVATE KEY" ? parsePkcs1(der) : parseSec1(der));
      const material = await verified(encrypted ? afterDecryption(parse) : parse(), encrypted);
      return {
        material,
        embeddedComment: "",
        keptText: armour(block.label, block.body, 64, pemHeaders(block)),
        encrypted,
      };
    }
    case "PRIVATE KEY":
      if (block.headers.size > 0) throw malformed("PKCS#8 keys have no PEM headers");
      // ssh2 does not read PKCS#8: stored re-encoded as OpenSSH.
      return {
        material: await verified(parsePkcs8(block.body), false),
        embeddedComment: "",
        keptText: null,
        encrypted: false,
      };
    case "ENCRYPTED PRIVATE KEY": {
      if (block.headers.size > 0) throw malformed("PKCS#8 keys have no PEM headers");
      const der = await decryptPkcs8(block.body, passphrase);
      const material = await verified(
        afterDecryption(() => parsePkcs8(der)),
        true,
      );
      // Re-encoded as unencrypted OpenSSH (ssh2 reads neither PKCS#8 nor PBES2); the caller encrypts it at rest.
      return { material, embeddedComment: "", keptText: null, encrypted: false };
    }
    case "DSA PRIVATE KEY":
      throw unsupported("DSA keys are obsolete (OpenSSH no longer accepts them); use ed25519");
    case "PUBLIC KEY":
    case "RSA PUBLIC KEY":
    case "CERTIFICATE":
      throw malformed(`this is a ${block.label.toLowerCase()}, not a private key`);
    default:
      throw unsupported(`PEM blocks of type "${block.label}"`);
  }
}

/** Checks the private half against the public half; after a decryption whose only integrity check was the
 * padding, a mismatch means the passphrase was wrong. */
async function verified(m: KeyMaterial, decrypted: boolean): Promise<KeyMaterial> {
  try {
    return await verifyMaterial(m);
  } catch (e) {
    if (!(e instanceof KeyMismatch)) throw e;
    if (decrypted) throw badPassphrase();
    throw malformed("the private key is inconsistent (does not match its public key)");
  }
}
