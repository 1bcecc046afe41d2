// PEM private keys: the armour (with legacy `Proc-Type`/`DEK-Info` encryption headers), PKCS#1 RSA, SEC1 EC,
// PKCS#8 PrivateKeyInfo and PBES2-encrypted PKCS#8. Hand-written on the small DER reader in der.ts: the
// structures are fixed, and the libraries that read them in JS rely on node's crypto key objects, whose
// coverage in workerd is partial; this way every step is plain bytes and the same in both runtimes.
import { bitStringBytes, DerReader, TAG } from "./der.ts";
import { badPassphrase, malformed, passphraseRequired, SshKeyError, unsupported } from "./errors.ts";
import { type CurveInfo, curveByOid, type KeyMaterial } from "./keys.ts";
import { type BlockCipher, decryptBlock, evpBytesToKey, type PbkdfHash, pbkdf2 } from "./primitives.ts";
import { decodeStrictBase64 } from "./wire.ts";

export interface PemBlock {
  label: string;
  headers: Map<string, string>;
  body: Uint8Array;
}

const BEGIN_RE = /^-----BEGIN ([A-Z0-9 ]{1,64})-----/;
const END_RE = /-----END ([A-Z0-9 ]{1,64})-----$/;
// Only the two RFC 1421 headers OpenSSL writes for encrypted traditional keys; values have no spaces, so
// they are found even when a paste has turned the line breaks into spaces.
const HEADER_RE = /^(Proc-Type|DEK-Info):[ \t]*(\S+)\s*/;

/** Splits one PEM block (the input is trimmed, so BEGIN must open it and END close it). */
export function parsePemBlock(text: string): PemBlock {
  const begin = BEGIN_RE.exec(text);
  const end = END_RE.exec(text);
  if (!begin || !end || end.index < begin[0].length)
    throw malformed("expected a -----BEGIN … PRIVATE KEY----- block");
  const label = begin[1]!;
  if (end[1] !== label) throw malformed(`BEGIN ${label} is closed by END ${end[1]}`);
  let inner = text.slice(begin[0].length, end.index).trim();
  const headers = new Map<string, string>();
  for (let m = HEADER_RE.exec(inner); m; m = HEADER_RE.exec(inner)) {
    headers.set(m[1]!, m[2]!);
    inner = inner.slice(m[0].length);
  }
  return { label, headers, body: decodeStrictBase64(inner, `the ${label} block`) };
}

/** The DER value inside a block, after removing legacy `Proc-Type: 4,ENCRYPTED` encryption if present. */
export function decryptLegacyPem(
  block: PemBlock,
  passphrase: string | null,
): { der: Uint8Array; encrypted: boolean } {
  const procType = block.headers.get("Proc-Type");
  const dekInfo = block.headers.get("DEK-Info");
  if (procType === undefined && dekInfo === undefined) return { der: block.body, encrypted: false };
  if (procType !== "4,ENCRYPTED" || dekInfo === undefined)
    throw malformed("incomplete PEM encryption headers");
  const [alg = "", ivHex = ""] = dekInfo.split(",");
  const cipher = LEGACY_CIPHERS[alg];
  if (!cipher)
    throw unsupported(`PEM encryption "${alg.slice(0, 32)}" (supported: AES-128/192/256-CBC, DES-EDE3-CBC)`);
  if (!/^[0-9A-Fa-f]+$/.test(ivHex) || ivHex.length !== cipher.ivLen * 2)
    throw malformed("invalid DEK-Info IV");
  if (!passphrase) throw passphraseRequired();
  const iv = Uint8Array.from(ivHex.match(/../g)!, (h) => Number.parseInt(h, 16));
  const key = evpBytesToKey(passphrase, iv.subarray(0, 8), cipher.keyLen);
  return { der: decryptBlock(cipher.alg, key, iv, block.body, true), encrypted: true };
}

interface CipherParams {
  alg: BlockCipher;
  keyLen: number;
  ivLen: number;
}

const LEGACY_CIPHERS: Record<string, CipherParams> = {
  "AES-128-CBC": { alg: "aes-cbc", keyLen: 16, ivLen: 16 },
  "AES-192-CBC": { alg: "aes-cbc", keyLen: 24, ivLen: 16 },
  "AES-256-CBC": { alg: "aes-cbc", keyLen: 32, ivLen: 16 },
  "DES-EDE3-CBC": { alg: "des-ede3-cbc", keyLen: 24, ivLen: 8 },
};

const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSHA1: "1.2.840.113549.2.7",
} as const;

/** Names for algorithm OIDs people do meet, so the refusal says what the key is. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  "1.2.840.10040.4.1": "DSA keys are obsolete and not supported",
  "1.2.840.113549.1.1.10": "RSA-PSS-restricted keys cannot be used for SSH",
  "1.3.101.110": "X25519 is a key-agreement key, not an SSH key",
  "1.3.101.111": "X448 is a key-agreement key, not an SSH key",
  "1.3.101.113": "Ed448 keys are not supported by OpenSSH",
  "1.3.6.1.4.1.11591.4.11":
    "scrypt-encrypted PKCS#8 is not supported (use PBKDF2: openssl pkcs8 -topk8 -v2 aes-256-cbc)",
};

const PBES2_CIPHERS: Record<string, CipherParams> = {
  "2.16.840.1.101.3.4.1.2": { alg: "aes-cbc", keyLen: 16, ivLen: 16 },
  "2.16.840.1.101.3.4.1.22": { alg: "aes-cbc", keyLen: 24, ivLen: 16 },
  "2.16.840.1.101.3.4.1.42": { alg: "aes-cbc", keyLen: 32, ivLen: 16 },
  "1.2.840.113549.3.7": { alg: "des-ede3-cbc", keyLen: 24, ivLen: 8 },
};

const PBKDF2_PRFS: Record<string, PbkdfHash> = {
  [OID.hmacWithSHA1]: "SHA-1",
  "1.2.840.113549.2.9": "SHA-256",
  "1.2.840.113549.2.10": "SHA-384",
  "1.2.840.113549.2.11": "SHA-512",
};

function refuseOid(oid: string, what: string): never {
  throw unsupported(KNOWN_UNSUPPORTED[oid] ?? `${what} ${oid}`);
}

/** The single top-level SEQUENCE of a DER value, with nothing after it. */
function root(der: Uint8Array, what: string): DerReader {
  const outer = new DerReader(der, what);
  const seq = outer.sequence();
  outer.end();
  return seq;
}

/** PKCS#1 RSAPrivateKey (RFC 8017 A.1.2), two-prime only. */
export function parsePkcs1(der: Uint8Array): KeyMaterial {
  const r = root(der, "PKCS#1 RSA private key");
  const version = r.smallInt();
  if (version !== 0) throw unsupported("multi-prime RSA keys");
  const n = r.integer();
  const e = r.integer();
  const d = r.integer();
  const p = r.integer();
  const q = r.integer();
  r.integer(); // d mod (p-1)
  r.integer(); // d mod (q-1)
  const iqmp = r.integer(); // q^-1 mod p: the same value OpenSSH stores as iqmp
  r.end();
  return { kind: "rsa", n, e, d, iqmp, p, q };
}

/** SEC1 ECPrivateKey (RFC 5915); `curve` comes from the PKCS#8 wrapper when there is one. */
export function parseSec1(der: Uint8Array, outerCurve?: CurveInfo): KeyMaterial {
  const r = root(der, "EC private key");
  if (r.smallInt() !== 1) throw malformed("EC private key has an unknown version");
  const d = r.expect(TAG.OCTET_STRING).slice();
  const params = r.optional(TAG.CTX0);
  const pub = r.optional(TAG.CTX1);
  r.end();
  let curve = outerCurve;
  if (params) {
    const pr = new DerReader(params, "EC parameters");
    if (pr.peekTag() !== TAG.OID)
      throw unsupported("EC keys with explicit curve parameters (use a named curve)");
    const named = curveByOid(pr.oid());
    pr.end();
    if (curve && curve !== named) throw malformed("EC key names two different curves");
    curve = named;
  }
  if (!curve) throw malformed("EC private key does not name its curve");
  let q = new Uint8Array(0);
  if (pub) {
    const pr = new DerReader(pub, "EC public key");
    q = bitStringBytes(pr.expect(TAG.BIT_STRING), "EC public key").slice();
    pr.end();
  }
  return { kind: "ecdsa", curve, d, q };
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958). */
export function parsePkcs8(der: Uint8Array): KeyMaterial {
  const r = root(der, "PKCS#8 private key");
  const version = r.smallInt();
  if (version > 1) throw malformed("PKCS#8 key has an unknown version");
  const alg = r.sequence();
  const oid = alg.oid();
  const privateKey = r.expect(TAG.OCTET_STRING);
  r.optional(TAG.CTX0); // attributes: nothing in them matters for SSH
  const pub = r.optional(TAG.CTX1_PRIM);
  r.end();

  if (oid === OID.rsaEncryption) {
    alg.optional(TAG.NULL);
    alg.end();
    return parsePkcs1(privateKey);
  }
  if (oid === OID.ecPublicKey) {
    if (alg.peekTag() !== TAG.OID)
      throw unsupported("EC keys with explicit curve parameters (use a named curve)");
    const curve = curveByOid(alg.oid());
    alg.end();
    return parseSec1(privateKey, curve);
  }
  if (oid === OID.ed25519) {
    alg.end();
    const inner = new DerReader(privateKey, "Ed25519 private key");
    const seed = inner.expect(TAG.OCTET_STRING).slice();
    inner.end();
    if (seed.length !== 32) throw malformed("Ed25519 private key must be 32 bytes");
    const statedPub = pub ? bitStringBytes(pub, "Ed25519 public key").slice() : new Uint8Array(0);
    return { kind: "ed25519", seed, pub: statedPub };
  }
  return refuseOid(oid, "PKCS#8 key algorithm");
}

/** EncryptedPrivateKeyInfo with PBES2 (RFC 8018): PBKDF2 (HMAC-SHA1/256/384/512) + AES-CBC or 3DES. Returns
 * the decrypted PrivateKeyInfo DER. */
export async function decryptPkcs8(der: Uint8Array, passphrase: string | null): Promise<Uint8Array> {
  const r = root(der, "encrypted PKCS#8 key");
  const alg = r.sequence();
  const scheme = alg.oid();
  if (scheme !== OID.pbes2) {
    throw unsupported(
      `PKCS#8 encryption ${scheme} (only PBES2 is supported; re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)`,
    );
  }
  const params = alg.sequence();
  alg.end();
  const encData = r.expect(TAG.OCTET_STRING);
  r.end();

  const kdf = params.sequence();
  const encScheme = params.sequence();
  params.end();

  const kdfOid = kdf.oid();
  if (kdfOid !== OID.pbkdf2) refuseOid(kdfOid, "PKCS#8 key derivation");
  const kp = kdf.sequence();
  kdf.end();
  if (kp.peekTag() !== TAG.OCTET_STRING) throw unsupported("PBKDF2 with a non-literal salt");
  const salt = kp.expect(TAG.OCTET_STRING);
  const iterations = kp.smallInt();
  const keyLength = kp.peekTag() === TAG.INTEGER ? kp.smallInt() : undefined;
  let prfOid: string = OID.hmacWithSHA1; // the DEFAULT in RFC 8018
  if (!kp.done) {
    const prf = kp.sequence();
    prfOid = prf.oid();
    prf.optional(TAG.NULL);
    prf.end();
  }
  kp.end();
  const hash = PBKDF2_PRFS[prfOid];
  if (!hash) refuseOid(prfOid, "PBKDF2 PRF");

  const cipherOid = encScheme.oid();
  const cipher = PBES2_CIPHERS[cipherOid];
  if (!cipher) refuseOid(cipherOid, "PKCS#8 cipher");
  const iv = encScheme.expect(TAG.OCTET_STRING);
  encScheme.end();
  if (iv.length !== cipher.ivLen) throw malformed("PKCS#8 cipher IV has the wrong length");
  if (keyLength !== undefined && keyLength !== cipher.keyLen) throw malformed("PBKDF2 key length mismatch");

  if (!passphrase) throw passphraseRequired();
  const key = await pbkdf2(passphrase, salt, iterations, hash, cipher.keyLen);
  return decryptBlock(cipher.alg, key, iv, encData, true);
}

/** A DER parse failure right after decryption with a padding-only check is a wrong passphrase, not a
 * malformed key: that is the only signal these formats give. */
export function afterDecryption<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SshKeyError && e.code !== "SSH_KEY_MALFORMED") throw e;
    throw badPassphrase();
  }
}
