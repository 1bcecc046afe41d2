// The openssh-key-v1 container (`-----BEGIN OPENSSH PRIVATE KEY-----`, OpenSSH's PROTOCOL.key): decoding,
// including passphrase-protected keys (bcrypt KDF + AES/ChaCha ciphers), and encoding an unencrypted one.
// Hand-written: the format is a flat list of SSH wire fields (magic, cipher, kdf, kdf options, public key,
// private section), and the npm parsers either depend on node's Buffer/crypto (ssh2, sshpk) or lack the
// AEAD ciphers; the checks follow sshkey_parse_private2() in OpenSSH's sshkey.c.

import { encodeBase64 } from "@nostromo/crypto";
import { badPassphrase, malformed, passphraseRequired, unsupported } from "./errors.ts";
import {
  curveBySshName,
  type KeyMaterial,
  KeyMismatch,
  parsePublicBlob,
  publicBlob,
  sshAlgName,
  unsupportedAlg,
  verifyMaterial,
} from "./keys.ts";
import { bcryptKdf, decryptAesGcm, decryptBlock, decryptOpenSshChaCha } from "./primitives.ts";
import { bytesEqual, bytesToBigInt, concatBytes, SshReader, SshWriter } from "./wire.ts";

const MAGIC = new TextEncoder().encode("openssh-key-v1\0");

interface CipherSpec {
  keyLen: number;
  ivLen: number;
  blockLen: number;
  authLen: number;
  mode: "none" | "aes-ctr" | "aes-cbc" | "aes-gcm" | "chacha" | "des-ede3-cbc";
}

/** The ciphers OpenSSH can write key files with (cipher.c), with their key/IV/block/tag sizes. */
const CIPHERS: Record<string, CipherSpec> = {
  none: { keyLen: 0, ivLen: 0, blockLen: 8, authLen: 0, mode: "none" },
  "aes128-ctr": { keyLen: 16, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-ctr" },
  "aes192-ctr": { keyLen: 24, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-ctr" },
  "aes256-ctr": { keyLen: 32, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-ctr" },
  "aes128-cbc": { keyLen: 16, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-cbc" },
  "aes192-cbc": { keyLen: 24, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-cbc" },
  "aes256-cbc": { keyLen: 32, ivLen: 16, blockLen: 16, authLen: 0, mode: "aes-cbc" },
  "aes128-gcm@openssh.com": { keyLen: 16, ivLen: 12, blockLen: 16, authLen: 16, mode: "aes-gcm" },
  "aes256-gcm@openssh.com": { keyLen: 32, ivLen: 12, blockLen: 16, authLen: 16, mode: "aes-gcm" },
  "chacha20-poly1305@openssh.com": { keyLen: 64, ivLen: 0, blockLen: 8, authLen: 16, mode: "chacha" },
  "3des-cbc": { keyLen: 24, ivLen: 8, blockLen: 8, authLen: 0, mode: "des-ede3-cbc" },
};

export interface OpenSshKey {
  material: KeyMaterial;
  comment: string;
  cipher: string;
}

/**
 * Decodes the base64-decoded body of an OPENSSH PRIVATE KEY block. With no passphrase an encrypted key is
 * refused with SSH_KEY_PASSPHRASE_REQUIRED (its public half is readable, but the private half is what is
 * being imported and must be proven to decrypt).
 */
export async function decodeOpenSsh(body: Uint8Array, passphrase: string | null): Promise<OpenSshKey> {
  if (body.length < MAGIC.length || !bytesEqual(body.subarray(0, MAGIC.length), MAGIC)) {
    throw malformed("not an openssh-key-v1 private key");
  }
  const r = new SshReader(body.subarray(MAGIC.length), "OpenSSH private key");
  const cipherName = r.text();
  const kdfName = r.text();
  const kdfOptions = r.string();
  const nkeys = r.uint32();
  if (nkeys !== 1) throw unsupported(`OpenSSH key files holding ${nkeys} keys (expected exactly one)`);
  const headerPub = r.string();
  const encrypted = r.string();

  const spec = CIPHERS[cipherName];
  if (!spec) throw unsupported(`OpenSSH key cipher "${cipherName.slice(0, 64)}"`);
  const tag = r.bytes(spec.authLen);
  r.end();
  // Type of the key, from the clear header: an unsupported type is reported as such even before decryption.
  parsePublicBlob(headerPub);

  if (encrypted.length < spec.blockLen || encrypted.length % spec.blockLen !== 0) {
    throw malformed("OpenSSH private section has an invalid length");
  }

  let plain: Uint8Array;
  if (cipherName === "none") {
    if (kdfName !== "none" || kdfOptions.length !== 0) throw malformed("unencrypted key with KDF options");
    plain = encrypted;
  } else {
    if (kdfName !== "bcrypt") throw unsupported(`OpenSSH key KDF "${kdfName.slice(0, 64)}"`);
    if (!passphrase) throw passphraseRequired();
    const opts = new SshReader(kdfOptions, "OpenSSH KDF options");
    const salt = opts.string();
    const rounds = opts.uint32();
    opts.end();
    const keyIv = bcryptKdf(passphrase, salt, rounds, spec.keyLen + spec.ivLen);
    const key = keyIv.subarray(0, spec.keyLen);
    const iv = keyIv.subarray(spec.keyLen);
    if (spec.mode === "aes-gcm") plain = decryptAesGcm(key, iv, encrypted, tag);
    else if (spec.mode === "chacha") plain = decryptOpenSshChaCha(key, encrypted, tag);
    else if (spec.mode === "none") throw malformed("cipher without a mode");
    else plain = decryptBlock(spec.mode, key, iv, encrypted, false);
  }

  const p = new SshReader(plain, "OpenSSH private section");
  // Two copies of a random word: the only check a wrong passphrase gets with CTR/CBC (as in sshkey.c).
  const check1 = p.uint32();
  const check2 = p.uint32();
  if (check1 !== check2) {
    if (cipherName === "none") throw malformed("OpenSSH private section check words differ");
    throw badPassphrase();
  }
  const material = readPrivateKey(p);
  const comment = p.text();
  const padding = p.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== ((i + 1) & 0xff)) throw malformed("OpenSSH private section has invalid padding");
  }

  let verified: KeyMaterial;
  try {
    verified = await verifyMaterial(material);
  } catch (e) {
    if (e instanceof KeyMismatch) throw malformed("the private key does not match its public key");
    throw e;
  }
  if (!bytesEqual(publicBlob(verified), headerPub)) {
    throw malformed("the public key in the header does not match the private key");
  }
  return { material: verified, comment, cipher: cipherName };
}

function readPrivateKey(p: SshReader): KeyMaterial {
  const alg = p.text();
  if (alg === "ssh-ed25519") {
    const pub = p.string();
    const sk = p.string();
    // sk is seed ‖ public key (the NaCl/OpenSSH secret key layout).
    if (pub.length !== 32 || sk.length !== 64 || !bytesEqual(sk.subarray(32), pub)) {
      throw malformed("ed25519 private key fields are invalid");
    }
    return { kind: "ed25519", seed: sk.slice(0, 32), pub: pub.slice() };
  }
  if (alg === "ssh-rsa") {
    const n = p.mpint();
    const e = p.mpint();
    const d = p.mpint();
    const iqmp = p.mpint();
    const pp = p.mpint();
    const q = p.mpint();
    return { kind: "rsa", n, e, d, iqmp, p: pp, q };
  }
  if (alg.startsWith("ecdsa-sha2-")) {
    const curve = curveBySshName(alg.slice("ecdsa-sha2-".length));
    if (p.text() !== curve.name) throw malformed("ECDSA private key names a different curve than its type");
    const q = p.string().slice();
    const d = p.string().slice(); // an mpint: may carry a leading zero byte, normalised in verifyMaterial
    return { kind: "ecdsa", curve, d, q };
  }
  throw unsupportedAlg(alg);
}

/** Wraps base64 at `width` columns between PEM armour lines. */
export function armour(label: string, body: Uint8Array, width: number, headers = ""): string {
  const b64 = encodeBase64(body);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${headers}${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Writes an unencrypted openssh-key-v1 file, byte-compatible with `ssh-keygen -N ''` output (70-column
 * base64, random check word, 1,2,3… padding to 8 bytes), which both ssh-keygen and ssh2 read. */
export function encodeOpenSsh(m: KeyMaterial, comment: string): string {
  const check = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const priv = new SshWriter().uint32(check).uint32(check).string(sshAlgName(m));
  if (m.kind === "ed25519") priv.string(m.pub).string(concatBytes(m.seed, m.pub));
  else if (m.kind === "rsa") priv.mpint(m.n).mpint(m.e).mpint(m.d).mpint(m.iqmp).mpint(m.p).mpint(m.q);
  else priv.string(m.curve.name).string(m.q).mpint(bytesToBigInt(m.d));
  priv.string(comment);
  let section = priv.finish();
  const pad = (8 - (section.length % 8)) % 8;
  section = concatBytes(
    section,
    Uint8Array.from({ length: pad }, (_, i) => i + 1),
  );
  const body = new SshWriter()
    .raw(MAGIC)
    .string("none")
    .string("none")
    .string(new Uint8Array(0))
    .uint32(1)
    .string(publicBlob(m))
    .string(section)
    .finish();
  return armour("OPENSSH PRIVATE KEY", body, 70);
}
