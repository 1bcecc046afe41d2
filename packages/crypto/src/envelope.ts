// Envelope encryption (AES-256-GCM, Web Crypto): every tenant has a random data key, stored wrapped by the
// platform master key (DB_ENCRYPTION_KEY). Every ciphertext names the key that made it, so the master key
// can be rotated (rewrapTenantKey) without re-encrypting tenant data.
import { decodeBase64, encodeBase64Url, toHex } from "./encoding.ts";

const FORMAT = "v1";
export const MIN_MASTER_KEY_LENGTH = 32;

export class CryptoConfigError extends Error {}
export class DecryptError extends Error {}

export interface MasterKey {
  id: string;
  key: CryptoKey;
}

export interface DataKey {
  id: string;
  key: CryptoKey;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function hkdfAesKey(material: Uint8Array, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", material, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode("nostromo/envelope/v1"), info: enc.encode(info) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function keyId(material: Uint8Array, label: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array([...enc.encode(label), ...material]));
  return toHex(new Uint8Array(digest)).slice(0, 12);
}

/** Derives the master key from DB_ENCRYPTION_KEY; refuses a key under 32 characters, as the seed says. */
export async function loadMasterKey(secret: string | undefined): Promise<MasterKey> {
  if (!secret || secret.length < MIN_MASTER_KEY_LENGTH) {
    throw new CryptoConfigError(`DB_ENCRYPTION_KEY must be at least ${MIN_MASTER_KEY_LENGTH} characters`);
  }
  const material = enc.encode(secret);
  return { id: `mk-${await keyId(material, "master")}`, key: await hkdfAesKey(material, "master") };
}

async function seal(key: CryptoKey, kid: string, plaintext: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = enc.encode(`${FORMAT}.${kid}`);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext),
  );
  return `${FORMAT}.${kid}.${encodeBase64Url(iv)}.${encodeBase64Url(ct)}`;
}

function parse(ciphertext: string): { kid: string; iv: Uint8Array; ct: Uint8Array } {
  const parts = ciphertext.split(".");
  if (parts.length !== 4 || parts[0] !== FORMAT || !parts[1] || !parts[2] || !parts[3]) {
    throw new DecryptError("not an envelope ciphertext");
  }
  const iv = decodeBase64(parts[2]);
  const ct = decodeBase64(parts[3]);
  if (!iv || !ct) throw new DecryptError("not an envelope ciphertext");
  return { kid: parts[1], iv, ct };
}

/** The key id a ciphertext was made with. */
export function ciphertextKeyId(ciphertext: string): string {
  return parse(ciphertext).kid;
}

async function open(key: CryptoKey, expectKid: string, ciphertext: string): Promise<Uint8Array> {
  const { kid, iv, ct } = parse(ciphertext);
  if (kid !== expectKid) throw new DecryptError(`ciphertext is for key ${kid}, not ${expectKid}`);
  try {
    const aad = enc.encode(`${FORMAT}.${kid}`);
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, ct));
  } catch {
    throw new DecryptError("ciphertext failed authentication");
  }
}

/** A new random data key, returned with its wrapped form (what the database stores). */
export async function newDataKey(master: MasterKey): Promise<{ dataKey: DataKey; wrapped: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const wrapped = await seal(master.key, master.id, raw);
  return { dataKey: await importDataKey(raw), wrapped };
}

async function importDataKey(raw: Uint8Array): Promise<DataKey> {
  return { id: `dk-${await keyId(raw, "data")}`, key: await hkdfAesKey(raw, "data") };
}

export async function unwrapDataKey(masters: MasterKey[], wrapped: string): Promise<DataKey> {
  const kid = ciphertextKeyId(wrapped);
  const master = masters.find((m) => m.id === kid);
  if (!master) throw new DecryptError(`no master key ${kid} configured`);
  return importDataKey(await open(master.key, master.id, wrapped));
}

/** Re-wraps a tenant's data key under a new master key (rotation); tenant ciphertexts stay valid. */
export async function rewrapDataKey(from: MasterKey[], to: MasterKey, wrapped: string): Promise<string> {
  const kid = ciphertextKeyId(wrapped);
  const master = from.find((m) => m.id === kid);
  if (!master) throw new DecryptError(`no master key ${kid} configured`);
  return seal(to.key, to.id, await open(master.key, master.id, wrapped));
}

export async function encryptString(dataKey: DataKey, plaintext: string): Promise<string> {
  return seal(dataKey.key, dataKey.id, enc.encode(plaintext));
}

export async function decryptString(dataKey: DataKey, ciphertext: string): Promise<string> {
  return dec.decode(await open(dataKey.key, dataKey.id, ciphertext));
}
