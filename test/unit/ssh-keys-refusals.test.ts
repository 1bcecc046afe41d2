// importPrivateKey refusals: malformed, truncated, oversized and unsupported input gets a stable SshKeyError
// code, never a crash; the keys it tampers with are made by the real ssh-keygen / openssl (ssh-keys-fixtures.ts).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateEd25519, importPrivateKey, SshKeyError } from "../../workers/crypto/ssh-keys.ts";
import {
  armourOpenSsh,
  codeOf,
  FIXTURES,
  PASS,
  path,
  pemBody,
  run,
  tempPath,
  useKeyFiles,
} from "./ssh-keys-fixtures.ts";

useKeyFiles();

describe("importPrivateKey: refusals", () => {
  const fixtureText = (name: string): string =>
    readFileSync(path(FIXTURES.find((x) => x.name === name)!), "utf8");

  it.each([
    ["empty", ""],
    ["whitespace", "  \n\t "],
    ["garbage", "hello, this is not a key"],
    ["a BEGIN line only", "-----BEGIN OPENSSH PRIVATE KEY-----\n"],
    ["mismatched armour", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"],
    [
      "invalid base64",
      "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!not base64!!!!\n-----END OPENSSH PRIVATE KEY-----",
    ],
    ["random bytes", armourOpenSsh(crypto.getRandomValues(new Uint8Array(300)))],
    [
      "random DER",
      `-----BEGIN PRIVATE KEY-----\n${Buffer.from(crypto.getRandomValues(new Uint8Array(120))).toString("base64")}\n-----END PRIVATE KEY-----`,
    ],
  ])("%s is SSH_KEY_MALFORMED", async (_name, text) => {
    expect(await codeOf(importPrivateKey(text))).toBe("SSH_KEY_MALFORMED");
  });

  it("truncated base64 (cut anywhere) is SSH_KEY_MALFORMED", async () => {
    for (const name of ["openssh ed25519-256", "pem ecdsa-256", "pkcs8 ecdsa-521"]) {
      const text = fixtureText(name);
      const lines = text.trim().split("\n");
      const b64 = lines.slice(1, -1).join("");
      for (let cut = 0; cut < b64.length; cut += 7) {
        const t = `${lines[0]}\n${b64.slice(0, cut)}\n${lines.at(-1)}\n`;
        expect(await codeOf(importPrivateKey(t)), `${name} cut at ${cut}`).toBe("SSH_KEY_MALFORMED");
      }
    }
  });

  it("a public key pasted instead of the private key is SSH_KEY_MALFORMED", async () => {
    for (const f of FIXTURES.filter((x) => x.name.startsWith("openssh") && !x.pass)) {
      const pub = readFileSync(`${path(f)}.pub`, "utf8");
      const err = await importPrivateKey(pub).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshKeyError);
      expect((err as SshKeyError).code).toBe("SSH_KEY_MALFORMED");
      expect((err as SshKeyError).message).toMatch(/public key/);
    }
    const spki = run("openssl", [
      "pkey",
      "-pubout",
      "-in",
      path(FIXTURES.find((x) => x.name === "pem ecdsa-256")!),
    ]);
    expect(await codeOf(importPrivateKey(spki))).toBe("SSH_KEY_MALFORMED");
  });

  it("a 1 MB blob is refused fast as SSH_KEY_MALFORMED", async () => {
    const blob = randomBytes(768 * 1024).toString("base64");
    for (const text of [
      blob,
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob}\n-----END OPENSSH PRIVATE KEY-----\n`,
      "A".repeat(1024 * 1024),
    ]) {
      const start = performance.now();
      expect(await codeOf(importPrivateKey(text))).toBe("SSH_KEY_MALFORMED");
      expect(performance.now() - start).toBeLessThan(100);
    }
  });

  it("DSA keys, PuTTY files and legacy PKCS#8 encryption are SSH_KEY_UNSUPPORTED", async () => {
    const dsa = tempPath("dsa");
    run("ssh-keygen", ["-q", "-t", "dsa", "-N", "", "-f", dsa]);
    run("ssh-keygen", ["-q", "-t", "dsa", "-m", "PEM", "-N", "", "-f", `${dsa}.pem`]);
    const ec = path(FIXTURES.find((x) => x.name === "pkcs8 ecdsa-521")!);
    const pbes1 = run("openssl", [
      "pkcs8",
      "-topk8",
      "-v1",
      "PBE-SHA1-3DES",
      "-in",
      ec,
      "-passout",
      `pass:${PASS}`,
    ]);
    const scrypt = run("openssl", ["pkcs8", "-topk8", "-scrypt", "-in", ec, "-passout", `pass:${PASS}`]);
    const x25519 = run("openssl", ["genpkey", "-algorithm", "x25519"]);
    const ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\nAAAA\n";
    for (const text of [
      readFileSync(dsa, "utf8"),
      readFileSync(`${dsa}.pem`, "utf8"),
      pbes1,
      scrypt,
      x25519,
      ppk,
    ]) {
      expect(await codeOf(importPrivateKey(text, PASS))).toBe("SSH_KEY_UNSUPPORTED");
    }
  });

  it("RSA keys under 1024 bits are SSH_KEY_UNSUPPORTED", async () => {
    const small = run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:768"]);
    expect(await codeOf(importPrivateKey(small))).toBe("SSH_KEY_UNSUPPORTED");
  });

  it("an OpenSSH key whose public header does not match its private half is SSH_KEY_MALFORMED", async () => {
    const a = pemBody(fixtureText("openssh ed25519-256"));
    const other = await generateEd25519();
    const b = pemBody(other.privateKey);
    // Both are ed25519 with the same layout: swap in the other key's public header blob (51 bytes).
    const pubAt = 15 + 8 + 8 + 4 + 4 + 4; // magic, "none", "none", "", nkeys, length of the public blob
    b.copy(a, pubAt, pubAt, pubAt + 51);
    expect(await codeOf(importPrivateKey(armourOpenSsh(a)))).toBe("SSH_KEY_MALFORMED");
  });

  it("a corrupted encrypted body with the right passphrase is refused (AEAD tag / check words)", async () => {
    for (const name of [
      "openssh ed25519 aes256-gcm@openssh.com",
      "openssh ed25519 chacha20-poly1305@openssh.com",
    ]) {
      const body = pemBody(fixtureText(name));
      body[body.length - 40]! ^= 1;
      expect(await codeOf(importPrivateKey(armourOpenSsh(body), PASS))).toBe("SSH_KEY_BAD_PASSPHRASE");
    }
  });

  it("random corruption never escapes as anything but an SshKeyError", async () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const sources = ["openssh ed25519-256", "openssh ecdsa-256", "pem ecdsa-256", "pkcs8 ecdsa-521"].map(
      (n) => {
        const text = fixtureText(n);
        return { label: text.split("\n")[0]!.slice(11, -5), body: pemBody(text) };
      },
    );
    for (let i = 0; i < 400; i++) {
      const src = sources[i % sources.length]!;
      const body = Buffer.from(src.body);
      for (let j = 0, n = 1 + rand(3); j < n; j++) body[rand(body.length)] = rand(256);
      const text = `-----BEGIN ${src.label}-----\n${body.toString("base64")}\n-----END ${src.label}-----\n`;
      try {
        await importPrivateKey(text);
      } catch (e) {
        expect(e).toBeInstanceOf(SshKeyError);
      }
    }
  });
});
