// importPrivateKey on every key ssh-keygen and openssl make, compared with what `ssh-keygen -y` / `-lf` say
// about the same file (and loaded in ssh2, what the agent uses), plus how pasted input is normalised.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importPrivateKey, keygenLine } from "../../workers/crypto/ssh-keys.ts";
import {
  blobOf,
  FIXTURES,
  keygenView,
  PASS,
  path,
  run,
  ssh2PublicBlob,
  useKeyFiles,
  writeKey,
} from "./ssh-keys-fixtures.ts";

useKeyFiles();

describe("importPrivateKey: ssh-keygen / openssl keys", () => {
  it.each(FIXTURES)("$name", async (f) => {
    const text = readFileSync(path(f), "utf8");
    const k = await importPrivateKey(text, f.pass);
    expect(k.type).toBe(f.type);
    expect(k.bits).toBe(f.bits);
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

    if (f.keygenReadsIt === false) {
      // Independent reference: node's OpenSSL reads the PKCS#8 file and gives the raw Ed25519 public key.
      const priv = createPrivateKey({ key: text, format: "pem", passphrase: f.pass });
      const jwk = createPublicKey(priv).export({ format: "jwk" });
      const raw = Buffer.from(jwk.x!, "base64url");
      const blob = Buffer.concat([
        Buffer.from("0000000b7373682d65643235353139", "hex"),
        Buffer.from([0, 0, 0, 32]),
        raw,
      ]);
      expect(k.publicKey).toBe(`ssh-ed25519 ${blob.toString("base64")}`);
    } else {
      const ref = keygenView(path(f), f.pass);
      expect(k.publicKey).toBe(ref.pub);
      expect(keygenLine(k)).toBe(ref.line);
      expect(k.fingerprint).toBe(ref.line.split(" ")[1]);
      // `ssh-keygen -lf` on the private key file itself (its .pub, or the public half it can read unencrypted).
      if (f.pass === undefined || f.name.startsWith("openssh")) {
        const direct = run("ssh-keygen", ["-lf", path(f)])
          .trim()
          .split(" ");
        const want = ref.line.split(" ");
        expect([direct[0], direct[1], direct.at(-1)]).toEqual([want[0], want[1], want.at(-1)]);
      }
    }

    // The stored text: the supplied file itself when ssh2 reads that format, else unencrypted OpenSSH.
    if (f.kept) {
      expect(k.privateKey).toBe(text);
      expect(k.encrypted).toBe(f.pass !== undefined);
    } else {
      expect(k.privateKey.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")).toBe(true);
      expect(k.encrypted).toBe(false);
      const out = `${path(f)}.stored`;
      writeKey(out, k.privateKey);
      const ref = keygenView(out);
      expect(ref.pub).toBe(k.publicKey);
      expect(ref.line).toBe(keygenLine(k));
    }
    // The agent's library loads what is stored, with the passphrase only when `encrypted` says so.
    expect(ssh2PublicBlob(k.privateKey, k.encrypted ? f.pass : undefined)).toBe(blobOf(k.publicKey));
  });
});

describe("importPrivateKey: input handling", () => {
  const f = FIXTURES.find((x) => x.name === "openssh ecdsa-384")!;

  it("accepts CRLF line endings, surrounding whitespace and newlines flattened to spaces", async () => {
    const text = readFileSync(path(f), "utf8");
    const ref = await importPrivateKey(text);
    for (const variant of [
      text.replace(/\n/g, "\r\n"),
      `\n\n  ${text}  \n`,
      text.trim().replace(/\n/g, " "),
    ]) {
      const k = await importPrivateKey(variant);
      expect(k.fingerprint).toBe(ref.fingerprint);
      expect(k.privateKey).toBe(text); // normalised back to the file ssh-keygen wrote
    }
    const pemPath = path(FIXTURES.find((x) => x.name === "pem rsa-2048 AES-128-CBC")!);
    const pem = readFileSync(pemPath, "utf8");
    const flat = await importPrivateKey(pem.trim().replace(/\n+/g, " "), PASS);
    expect(flat.privateKey).toBe(pem);
  });

  it("uses the embedded comment, or the caller's comment when given (control characters become spaces)", async () => {
    const text = readFileSync(path(f), "utf8");
    expect((await importPrivateKey(text)).comment).toBe("ecdsa-384@nostromo");
    const k = await importPrivateKey(text, null, "prod\nbastion\tkey");
    expect(k.comment).toBe("prod bastion key");
    expect(k.publicKey.endsWith(" prod bastion key")).toBe(true);
    expect(keygenLine(k)).toMatch(/^384 SHA256:\S+ prod bastion key \(ECDSA\)$/);
  });

  it("re-encoded keys carry the caller's comment into the stored OpenSSH key", async () => {
    const p8 = path(FIXTURES.find((x) => x.name === "pkcs8 ecdsa-521")!);
    const k = await importPrivateKey(readFileSync(p8, "utf8"), null, "from pkcs8");
    const out = `${p8}.commented`;
    writeKey(out, k.privateKey);
    expect(keygenView(out).pub).toBe(k.publicKey);
    expect(k.publicKey.endsWith(" from pkcs8")).toBe(true);
  });
});
