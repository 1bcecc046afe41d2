// importPrivateKey and passphrases: wrong or missing ones, UTF-8 ones, and PBKDF2 counts above the Web Crypto
// cap of production workerd; the keys are made by the real ssh-keygen / openssl (ssh-keys-fixtures.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { importPrivateKey } from "../../workers/crypto/ssh-keys.ts";
import {
  armourOpenSsh,
  codeOf,
  FIXTURES,
  keygenView,
  PASS,
  path,
  pemBody,
  run,
  tempPath,
  useKeyFiles,
} from "./ssh-keys-fixtures.ts";

useKeyFiles();

describe("importPrivateKey: passphrases", () => {
  const encrypted = FIXTURES.filter((f) => f.pass !== undefined);

  it.each(encrypted)("$name: wrong passphrase is SSH_KEY_BAD_PASSPHRASE", async (f) => {
    const text = readFileSync(path(f), "utf8");
    expect(await codeOf(importPrivateKey(text, "not the passphrase"))).toBe("SSH_KEY_BAD_PASSPHRASE");
  });

  it.each(encrypted)("$name: no passphrase is SSH_KEY_PASSPHRASE_REQUIRED", async (f) => {
    const text = readFileSync(path(f), "utf8");
    for (const p of [undefined, null, ""]) {
      expect(await codeOf(importPrivateKey(text, p))).toBe("SSH_KEY_PASSPHRASE_REQUIRED");
    }
  });

  it("a passphrase given for an unencrypted key is ignored (as ssh-keygen does)", async () => {
    const f = FIXTURES.find((x) => x.name === "openssh ed25519-256")!;
    const k = await importPrivateKey(readFileSync(path(f), "utf8"), "whatever");
    expect(k.encrypted).toBe(false);
  });

  it("a non-ASCII passphrase is used as UTF-8, like ssh-keygen", async () => {
    const p = tempPath("utf8pass");
    run("ssh-keygen", ["-q", "-t", "ed25519", "-a", "4", "-N", "pässwörd-ключ", "-f", p]);
    const k = await importPrivateKey(readFileSync(p, "utf8"), "pässwörd-ключ");
    expect(k.publicKey).toBe(keygenView(p, "pässwörd-ключ").pub);
  });

  it("PBKDF2 above Cloudflare's 100 000-iteration Web Crypto cap falls back to JS and gives the same key", async () => {
    const src = path(FIXTURES.find((x) => x.name === "pkcs8 ecdsa-521")!);
    const enc = run("openssl", [
      "pkcs8",
      "-topk8",
      "-v2",
      "aes-256-cbc",
      "-iter",
      "150000",
      "-in",
      src,
      "-passout",
      `pass:${PASS}`,
    ]);
    const expected = await importPrivateKey(readFileSync(src, "utf8"));
    // Production workerd refuses this count (local workerd and Node do not): simulate that refusal.
    const real = crypto.subtle.deriveBits.bind(crypto.subtle);
    const spy = vi.spyOn(crypto.subtle, "deriveBits").mockImplementation((alg, key, len) => {
      if (((alg as { iterations?: number }).iterations ?? 0) > 100_000) {
        return Promise.reject(
          new DOMException("iteration counts above 100000 are not supported", "NotSupportedError"),
        );
      }
      return real(alg, key, len);
    });
    try {
      const k = await importPrivateKey(enc, PASS);
      expect(spy).toHaveBeenCalled();
      expect(k.fingerprint).toBe(expected.fingerprint);
      expect(await codeOf(importPrivateKey(enc, "wrong passphrase"))).toBe("SSH_KEY_BAD_PASSPHRASE");
    } finally {
      spy.mockRestore();
    }
  });

  it("too many bcrypt rounds is SSH_KEY_UNSUPPORTED without running the KDF", async () => {
    const f = FIXTURES.find((x) => x.name === "openssh ed25519 aes128-ctr")!;
    const body = pemBody(readFileSync(path(f), "utf8"));
    // kdfoptions = string salt(16) + uint32 rounds, in the clear; patch rounds to 1 000 000.
    const at = body.indexOf(Buffer.from("bcrypt")) + 6 + 4 + 4 + 16;
    body.writeUInt32BE(1_000_000, at);
    const start = performance.now();
    expect(await codeOf(importPrivateKey(armourOpenSsh(body), PASS))).toBe("SSH_KEY_UNSUPPORTED");
    expect(performance.now() - start).toBeLessThan(500);
  });
});
