// Tests for workers/crypto/ssh-keys.ts against the real tools: keys are made by the system ssh-keygen and
// openssl in a temp dir, imported, and every result is compared with what `ssh-keygen -y` / `ssh-keygen -lf`
// say about the same file; the stored private key is checked to load in ssh2 (what the agent uses).
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  fingerprintOfPublicKey,
  generateEd25519,
  importPrivateKey,
  keygenLine,
  type ParsedSshKey,
  parseOpenSshPublicKey,
  SshKeyError,
  type SshKeyType,
} from "../../workers/crypto/ssh-keys.ts";

const PASS = "correct horse 1";

interface Fixture {
  name: string;
  type: SshKeyType;
  bits: number;
  pass?: string;
  /** Commands run in the temp dir; `$K` is replaced by the key's path. */
  make: string[][];
  /** ssh-keygen 9.2 cannot read openssl's PKCS#8 ed25519: compare with node:crypto instead. */
  keygenReadsIt?: boolean;
  /** Expected: stored privateKey is the supplied file itself (else re-encoded as unencrypted OpenSSH). */
  kept: boolean;
}

const sshKeygen = (args: string[]): string[] => ["ssh-keygen", "-q", ...args, "-f", "$K"];
const openssh = (t: string, b: number, pass: string, extra: string[] = []): string[] =>
  sshKeygen(["-t", t, "-b", String(b), "-N", pass, "-C", `${t}-${b}@nostromo`, ...extra]);

const CURVE_TYPE: Record<number, SshKeyType> = {
  256: "ecdsa-nistp256",
  384: "ecdsa-nistp384",
  521: "ecdsa-nistp521",
};
const KINDS: { t: string; b: number; type: SshKeyType }[] = [
  { t: "ed25519", b: 256, type: "ed25519" },
  { t: "rsa", b: 2048, type: "rsa" },
  { t: "rsa", b: 3072, type: "rsa" },
  ...[256, 384, 521].map((b) => ({ t: "ecdsa", b, type: CURVE_TYPE[b]! })),
];

const FIXTURES: Fixture[] = [
  // ssh-keygen's default output: openssh-key-v1, aes256-ctr + bcrypt (16 rounds) when a passphrase is set.
  ...KINDS.flatMap(({ t, b, type }) => [
    { name: `openssh ${t}-${b}`, type, bits: b, make: [openssh(t, b, "")], kept: true },
    {
      name: `openssh ${t}-${b} aes256-ctr`,
      type,
      bits: b,
      pass: PASS,
      make: [openssh(t, b, PASS)],
      kept: true,
    },
  ]),
  // Every cipher ssh-keygen -Z can write (4 KDF rounds to keep the suite fast).
  ...[
    "aes128-ctr",
    "aes192-ctr",
    "aes128-cbc",
    "aes256-cbc",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "3des-cbc",
  ].map(
    (z): Fixture => ({
      name: `openssh ed25519 ${z}`,
      type: "ed25519",
      bits: 256,
      pass: PASS,
      make: [openssh("ed25519", 256, PASS, ["-Z", z, "-a", "4"])],
      kept: !z.startsWith("chacha"), // ssh2 cannot read chacha20-poly1305 key files
    }),
  ),
  {
    name: "openssh rsa-2048 chacha20-poly1305",
    type: "rsa",
    bits: 2048,
    pass: PASS,
    make: [openssh("rsa", 2048, PASS, ["-Z", "chacha20-poly1305@openssh.com", "-a", "4"])],
    kept: false,
  },
  {
    name: "openssh ecdsa-384 aes256-gcm",
    type: "ecdsa-nistp384",
    bits: 384,
    pass: PASS,
    make: [openssh("ecdsa", 384, PASS, ["-Z", "aes256-gcm@openssh.com", "-a", "4"])],
    kept: true,
  },
  // ssh-keygen -m PEM: PKCS#1 / SEC1, legacy Proc-Type encryption (AES-128-CBC) with a passphrase.
  {
    name: "pem rsa-2048",
    type: "rsa",
    bits: 2048,
    make: [openssh("rsa", 2048, "", ["-m", "PEM"])],
    kept: true,
  },
  {
    name: "pem rsa-2048 AES-128-CBC",
    type: "rsa",
    bits: 2048,
    pass: PASS,
    make: [openssh("rsa", 2048, PASS, ["-m", "PEM"])],
    kept: true,
  },
  ...[256, 384, 521].map(
    (b): Fixture => ({
      name: `pem ecdsa-${b}`,
      type: CURVE_TYPE[b]!,
      bits: b,
      make: [openssh("ecdsa", b, "", ["-m", "PEM"])],
      kept: true,
    }),
  ),
  {
    name: "pem ecdsa-384 AES-128-CBC",
    type: "ecdsa-nistp384",
    bits: 384,
    pass: PASS,
    make: [openssh("ecdsa", 384, PASS, ["-m", "PEM"])],
    kept: true,
  },
  // ssh-keygen -m PKCS8: PrivateKeyInfo, or PBES2 EncryptedPrivateKeyInfo with a passphrase.
  {
    name: "pkcs8 rsa-3072",
    type: "rsa",
    bits: 3072,
    make: [openssh("rsa", 3072, "", ["-m", "PKCS8"])],
    kept: false,
  },
  {
    name: "pkcs8 rsa-2048 encrypted",
    type: "rsa",
    bits: 2048,
    pass: PASS,
    make: [openssh("rsa", 2048, PASS, ["-m", "PKCS8"])],
    kept: false,
  },
  {
    name: "pkcs8 ecdsa-256 encrypted",
    type: "ecdsa-nistp256",
    bits: 256,
    pass: PASS,
    make: [openssh("ecdsa", 256, PASS, ["-m", "PKCS8"])],
    kept: false,
  },
  {
    name: "pkcs8 ecdsa-521",
    type: "ecdsa-nistp521",
    bits: 521,
    make: [openssh("ecdsa", 521, "", ["-m", "PKCS8"])],
    kept: false,
  },
  // openssl: PKCS#8 ed25519, PBES2 variants (PRFs, AES sizes, 3DES), legacy traditional encryption.
  {
    name: "openssl ed25519 pkcs8",
    type: "ed25519",
    bits: 256,
    make: [["openssl", "genpkey", "-algorithm", "ed25519", "-out", "$K"]],
    keygenReadsIt: false,
    kept: false,
  },
  {
    name: "openssl ed25519 pkcs8 aes-256-cbc",
    type: "ed25519",
    bits: 256,
    pass: PASS,
    make: [
      ["openssl", "genpkey", "-algorithm", "ed25519", "-out", "$K.plain"],
      [
        "openssl",
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        "$K.plain",
        "-passout",
        `pass:${PASS}`,
        "-out",
        "$K",
      ],
    ],
    keygenReadsIt: false,
    kept: false,
  },
  ...(
    [
      ["aes-256-cbc", "hmacWithSHA256"],
      ["aes-128-cbc", "hmacWithSHA512"],
      ["aes-192-cbc", "hmacWithSHA1"],
      ["des3", "hmacWithSHA384"],
    ] as const
  ).map(
    ([cipher, prf]): Fixture => ({
      name: `openssl rsa-2048 pkcs8 ${cipher} ${prf}`,
      type: "rsa",
      bits: 2048,
      pass: PASS,
      make: [
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "$K.plain"],
        [
          "openssl",
          "pkcs8",
          "-topk8",
          "-v2",
          cipher,
          "-v2prf",
          prf,
          "-in",
          "$K.plain",
          "-passout",
          `pass:${PASS}`,
          "-out",
          "$K",
        ],
      ],
      kept: false,
    }),
  ),
  ...(["aes256", "des3"] as const).map(
    (cipher): Fixture => ({
      name: `openssl rsa-2048 traditional ${cipher}`,
      type: "rsa",
      bits: 2048,
      pass: PASS,
      make: [
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "$K.plain"],
        [
          "openssl",
          "rsa",
          "-traditional",
          `-${cipher}`,
          "-in",
          "$K.plain",
          "-passout",
          `pass:${PASS}`,
          "-out",
          "$K",
        ],
      ],
      kept: true,
    }),
  ),
  {
    name: "openssl ec P-521 traditional aes192",
    type: "ecdsa-nistp521",
    bits: 521,
    pass: PASS,
    make: [
      ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-out", "$K.plain"],
      ["openssl", "ec", "-aes192", "-in", "$K.plain", "-passout", `pass:${PASS}`, "-out", "$K"],
    ],
    kept: true,
  },
  {
    // SEC1 without the optional public key: the public point must be derived from the scalar.
    name: "openssl ec P-256 SEC1 without public key",
    type: "ecdsa-nistp256",
    bits: 256,
    make: [
      ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$K.plain"],
      ["openssl", "ec", "-no_public", "-in", "$K.plain", "-out", "$K"],
    ],
    kept: true,
  },
];

let dir = "";
const path = (f: Fixture): string => join(dir, f.name.replace(/[^a-z0-9]+/gi, "_"));
const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, { cwd: dir, input, stdio: ["pipe", "pipe", "pipe"] }).toString();

/** What ssh-keygen says about a key file: its public line (`-y`) and its `-lf` line. */
function keygenView(keyPath: string, pass?: string): { pub: string; line: string } {
  const pub = run("ssh-keygen", ["-y", "-P", pass ?? "", "-f", keyPath]).trim();
  writeFileSync(`${keyPath}.derived.pub`, `${pub}\n`);
  return { pub, line: run("ssh-keygen", ["-lf", `${keyPath}.derived.pub`]).trim() };
}

function writeKey(p: string, text: string): void {
  writeFileSync(p, text, { mode: 0o600 });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof SshKeyError) return e.code;
    throw e;
  }
}

function ssh2PublicBlob(text: string, pass?: string): string {
  const parsed = ssh2.utils.parseKey(text, pass);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH().toString("base64");
}

const blobOf = (publicKeyLine: string): string => publicKeyLine.split(" ")[1]!;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ssh-keys-test-"));
  for (const f of FIXTURES) {
    for (const cmd of f.make) {
      const [bin, ...args] = cmd.map((a) => a.replaceAll("$K", path(f)));
      run(bin!, args);
    }
    execFileSync("chmod", ["600", path(f)]);
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

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
    const p = join(dir, "utf8pass");
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

function pemBody(text: string): Buffer {
  return Buffer.from(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("-----"))
      .join(""),
    "base64",
  );
}

function armourOpenSsh(body: Uint8Array): string {
  const b64 = Buffer.from(body).toString("base64");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64.match(/.{1,70}/g)!.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

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
    const dsa = join(dir, "dsa");
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

describe("generateEd25519", () => {
  it("makes a key that ssh-keygen and ssh2 read, with matching fingerprint", async () => {
    const k = await generateEd25519("generated@nostromo");
    expect(k.type).toBe("ed25519");
    expect(k.bits).toBe(256);
    expect(k.encrypted).toBe(false);
    expect(k.comment).toBe("generated@nostromo");
    const p = join(dir, "generated");
    writeKey(p, k.privateKey);
    const ref = keygenView(p);
    expect(ref.pub).toBe(k.publicKey);
    expect(ref.line).toBe(keygenLine(k));
    // ssh-keygen -lf on the private key file itself (no .pub next to it).
    expect(run("ssh-keygen", ["-lf", p]).trim()).toBe(keygenLine(k));
    expect(ssh2PublicBlob(k.privateKey)).toBe(blobOf(k.publicKey));

    // The key works: ssh2 signs with the stored private key, verifies with the public line.
    const priv = ssh2.utils.parseKey(k.privateKey);
    const pub = ssh2.utils.parseKey(k.publicKey);
    if (priv instanceof Error || pub instanceof Error)
      throw new Error("ssh2 could not parse the generated key");
    const data = Buffer.from("nostromo");
    const sig = (Array.isArray(priv) ? priv[0] : priv).sign(data);
    if (sig instanceof Error) throw sig;
    expect((Array.isArray(pub) ? pub[0] : pub).verify(data, sig)).toBe(true);

    // And it round-trips through import.
    const again = await importPrivateKey(k.privateKey);
    expect(again.fingerprint).toBe(k.fingerprint);
    expect(again.privateKey).toBe(k.privateKey);
  });

  it("without a comment: bare two-field public key, 'no comment' in the keygen line", async () => {
    const k = await generateEd25519();
    expect(k.publicKey.split(" ")).toHaveLength(2);
    expect(keygenLine(k)).toBe(`256 ${k.fingerprint} no comment (ED25519)`);
    const p = join(dir, "generated-nocomment");
    writeKey(p, k.privateKey);
    expect(keygenView(p).line).toBe(keygenLine(k));
  });

  it("makes a different key every time", async () => {
    const [a, b] = await Promise.all([generateEd25519(), generateEd25519()]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });
});

describe("parseOpenSshPublicKey / fingerprintOfPublicKey", () => {
  it.each(FIXTURES.filter((f) => f.name.startsWith("openssh")))("public key line of $name", async (f) => {
    const line = readFileSync(`${path(f)}.pub`, "utf8");
    const ref = run("ssh-keygen", ["-lf", `${path(f)}.pub`]).trim();
    const pk = parseOpenSshPublicKey(line);
    expect(pk.type).toBe(f.type);
    expect(pk.bits).toBe(f.bits);
    expect(pk.line).toBe(line.trim());
    expect(pk.blob).toBe(blobOf(line));
    expect(pk.fingerprint).toBe(ref.split(" ")[1]);
    expect(keygenLine(pk)).toBe(ref);
    expect(await fingerprintOfPublicKey(line)).toBe(pk.fingerprint);
  });

  it("refuses malformed lines and names unsupported types", () => {
    const ed = readFileSync(`${path(FIXTURES[0]!)}.pub`, "utf8").trim();
    const [, b64] = ed.split(" ");
    const code = (line: string): string => {
      try {
        parseOpenSshPublicKey(line);
        return "OK";
      } catch (e) {
        if (e instanceof SshKeyError) return e.code;
        throw e;
      }
    };
    expect(code(ed)).toBe("OK");
    expect(code(`ssh-rsa ${b64}`)).toBe("SSH_KEY_MALFORMED"); // label and blob disagree
    expect(code(`ssh-ed25519 ${b64!.slice(0, -8)}`)).toBe("SSH_KEY_MALFORMED"); // truncated
    expect(code(`ssh-ed25519 ${b64}AAAA`)).toBe("SSH_KEY_MALFORMED"); // trailing bytes
    expect(code(`host.example ${ed}`)).toBe("SSH_KEY_MALFORMED"); // known_hosts line
    expect(code(`${ed}\nssh-ed25519 ${b64}`)).toBe("SSH_KEY_MALFORMED"); // two lines
    expect(code("")).toBe("SSH_KEY_MALFORMED");
    expect(code("not a key")).toBe("SSH_KEY_MALFORMED");
    expect(code(readFileSync(path(FIXTURES[0]!), "utf8"))).toBe("SSH_KEY_MALFORMED"); // private key
    const dss = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-dss"), Buffer.alloc(8)]);
    expect(code(`ssh-dss ${dss.toString("base64")}`)).toBe("SSH_KEY_UNSUPPORTED");
    const cert = Buffer.concat([Buffer.from([0, 0, 0, 32]), Buffer.from("ssh-ed25519-cert-v01@openssh.com")]);
    expect(code(`ssh-ed25519-cert-v01@openssh.com ${cert.toString("base64")}`)).toBe("SSH_KEY_UNSUPPORTED");
  });
});

describe("keygenLine", () => {
  it("formats like ssh-keygen -lf", () => {
    const base: Pick<ParsedSshKey, "bits" | "fingerprint" | "comment" | "type"> = {
      bits: 521,
      fingerprint: "SHA256:abc",
      comment: "a b",
      type: "ecdsa-nistp521",
    };
    expect(keygenLine(base)).toBe("521 SHA256:abc a b (ECDSA)");
    expect(keygenLine({ ...base, comment: "", type: "rsa", bits: 4096 })).toBe(
      "4096 SHA256:abc no comment (RSA)",
    );
  });
});
