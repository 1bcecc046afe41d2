import { describe, expect, it } from "vitest";
import {
  CryptoConfigError,
  ciphertextKeyId,
  DecryptError,
  decryptString,
  encryptString,
  loadMasterKey,
  newDataKey,
  unwrapDataKey,
} from "./envelope.ts";

const KEY = "a-master-key-of-at-least-32-characters!!";

describe("envelope encryption", () => {
  it("refuses a master key under 32 characters", async () => {
    await expect(loadMasterKey("short")).rejects.toBeInstanceOf(CryptoConfigError);
    await expect(loadMasterKey(undefined)).rejects.toBeInstanceOf(CryptoConfigError);
  });

  it("round-trips through a wrapped data key, with key ids in every ciphertext", async () => {
    const master = await loadMasterKey(KEY);
    const { dataKey, wrapped } = await newDataKey(master);
    expect(ciphertextKeyId(wrapped)).toBe(master.id);
    const ct = await encryptString(dataKey, "s3cret");
    expect(ct).not.toContain("s3cret");
    expect(ciphertextKeyId(ct)).toBe(dataKey.id);
    const again = await unwrapDataKey([master], wrapped);
    expect(await decryptString(again, ct)).toBe("s3cret");
  });

  it("detects tampering and wrong keys", async () => {
    const master = await loadMasterKey(KEY);
    const { dataKey } = await newDataKey(master);
    const other = (await newDataKey(master)).dataKey;
    const ct = await encryptString(dataKey, "s3cret");
    const parts = ct.split(".");
    const tampered = [...parts.slice(0, 3), `${parts[3]?.slice(0, -2)}AA`].join(".");
    await expect(decryptString(dataKey, tampered)).rejects.toBeInstanceOf(DecryptError);
    await expect(decryptString(other, ct)).rejects.toBeInstanceOf(DecryptError);
    await expect(decryptString(dataKey, "garbage")).rejects.toBeInstanceOf(DecryptError);
  });
});
