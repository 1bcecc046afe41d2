// Symmetric decryption and key derivation used to open passphrase-protected keys. Owns the choice of
// implementation for each primitive, picked so that one code path runs in workerd and in Node:
// - AES (CTR/CBC/GCM), ChaCha20 and Poly1305: @noble/ciphers (audited, pure JS, synchronous). Web Crypto's
//   AES-CBC always strips PKCS#7 padding, which the OpenSSH container does not use, and OpenSSH's
//   chacha20-poly1305 (64-bit nonce, separate Poly1305 key) is in no native API.
// - bcrypt_pbkdf (OpenSSH KDF): the `bcrypt-pbkdf` package (pure JS; the one ssh2 and sshpk use).
// - PBKDF2 (PKCS#8 PBES2): Web Crypto, falling back to @noble/hashes when the runtime refuses the iteration
//   count (Cloudflare caps Web Crypto PBKDF2 iterations).
// - MD5 (legacy PEM EVP_BytesToKey): @noble/hashes; Web Crypto has no MD5.
// - DES-EDE3-CBC (legacy PEM, OpenSSH 3des-cbc): node:crypto, the only option without hand-written DES;
//   workerd provides it under nodejs_compat (BoringSSL), which the workerd test exercises.

import { createDecipheriv } from "node:crypto";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import bcryptPbkdf from "bcrypt-pbkdf";
import { badPassphrase, malformed, unsupported } from "./errors.ts";
import { bytesEqual, concatBytes, encodeUtf8 } from "./wire.ts";

/** ssh-keygen's default is 16 rounds (`-a`), about 0.4 s in JS; 100 is common hardening advice. Above this
 * the import would burn many seconds of Worker CPU, so such keys are refused (re-encrypt or import plain). */
export const MAX_BCRYPT_ROUNDS = 256;
/** openssl's default is 2048 iterations; this bound only stops a crafted key from pinning the CPU. */
export const MAX_PBKDF2_ITERATIONS = 2_000_000;

export function bcryptKdf(passphrase: string, salt: Uint8Array, rounds: number, length: number): Uint8Array {
  if (rounds < 1) throw malformed("bcrypt KDF rounds must be at least 1");
  if (rounds > MAX_BCRYPT_ROUNDS) {
    throw unsupported(
      `the key's bcrypt KDF uses ${rounds} rounds (at most ${MAX_BCRYPT_ROUNDS} are accepted); ` +
        "re-encrypt it with `ssh-keygen -p -a 16 -f KEY`",
    );
  }
  if (salt.length === 0 || salt.length > 1024) throw malformed("bcrypt KDF salt has an invalid length");
  const pass = encodeUtf8(passphrase);
  const out = new Uint8Array(length);
  if (bcryptPbkdf.pbkdf(pass, pass.length, salt, salt.length, out, length, rounds) !== 0) {
    throw malformed("bcrypt KDF parameters are invalid");
  }
  return out;
}

export type PbkdfHash = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

export async function pbkdf2(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
  hash: PbkdfHash,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw malformed("PBKDF2 iteration count is invalid");
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    throw unsupported(`PBKDF2 iteration count ${iterations} is above the accepted ${MAX_PBKDF2_ITERATIONS}`);
  }
  const pass = encodeUtf8(passphrase);
  try {
    const key = await crypto.subtle.importKey("raw", pass, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, key, length * 8);
    return new Uint8Array(bits);
  } catch {
    // Cloudflare's Web Crypto refuses more than 100 000 iterations; derive in JS instead (slower, same result).
    const h = { "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 }[hash];
    return pbkdf2Async(h, pass, salt, { c: iterations, dkLen: length, asyncTick: 20 });
  }
}

/** OpenSSL's EVP_BytesToKey(MD5, 1 iteration), the KDF of `Proc-Type: 4,ENCRYPTED` PEM files; the salt is
 * the first 8 bytes of the IV from the DEK-Info header. */
export function evpBytesToKey(passphrase: string, salt: Uint8Array, length: number): Uint8Array {
  const pass = encodeUtf8(passphrase);
  let out: Uint8Array = new Uint8Array(0);
  let prev: Uint8Array = new Uint8Array(0);
  while (out.length < length) {
    prev = md5(concatBytes(prev, pass, salt));
    out = concatBytes(out, prev);
  }
  return out.subarray(0, length);
}

export type BlockCipher = "aes-cbc" | "aes-ctr" | "des-ede3-cbc";

/**
 * Decrypts with a block cipher. `padded` means PKCS#7 padding (PEM and PKCS#8); its check failing is the
 * only sign of a wrong passphrase those formats give, so it reports SSH_KEY_BAD_PASSPHRASE.
 */
export function decryptBlock(
  alg: BlockCipher,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  padded: boolean,
): Uint8Array {
  const blockLen = alg === "des-ede3-cbc" ? 8 : 16;
  if (alg !== "aes-ctr" && (data.length === 0 || data.length % blockLen !== 0)) {
    throw malformed("encrypted data is not a whole number of cipher blocks");
  }
  try {
    if (alg === "aes-ctr") return ctr(key, iv).decrypt(data);
    if (alg === "aes-cbc") return cbc(key, iv, { disablePadding: !padded }).decrypt(data);
    const d = createDecipheriv("des-ede3-cbc", key, iv);
    d.setAutoPadding(padded);
    return new Uint8Array(concatBytes(d.update(data), d.final()));
  } catch {
    // Only padding can fail here (lengths were checked above).
    throw badPassphrase();
  }
}

/** AES-GCM with the tag appended by the caller's format; a tag mismatch means a wrong passphrase. */
export function decryptAesGcm(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  tag: Uint8Array,
): Uint8Array {
  try {
    return gcm(key, iv).decrypt(concatBytes(data, tag));
  } catch {
    throw badPassphrase();
  }
}

/**
 * chacha20-poly1305@openssh.com as used for key files (PROTOCOL.chacha20poly1305 with sequence number 0 and
 * no length header): the first 32 key bytes key the payload stream, its block 0 gives the Poly1305 key and
 * the payload starts at block 1. The second 32 bytes (the packet-length key) play no part here.
 */
export function decryptOpenSshChaCha(key: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array {
  const mainKey = key.subarray(0, 32);
  const nonce = new Uint8Array(8);
  const polyKey = chacha20orig(mainKey, nonce, new Uint8Array(32), undefined, 0);
  if (!bytesEqual(poly1305(data, polyKey), tag)) throw badPassphrase();
  return chacha20orig(mainKey, nonce, data, undefined, 1);
}
