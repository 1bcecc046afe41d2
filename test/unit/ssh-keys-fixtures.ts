// Shared set-up for the ssh-keys unit tests (test/unit/ssh-keys-*.test.ts): the key files made by the real
// ssh-keygen and openssl in a temp dir, and the helpers that ask those tools what they think of a key.
// One module so each split test file builds the same keys the same way instead of carrying a copy.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll } from "vitest";
import { SshKeyError, type SshKeyType } from "../../workers/crypto/ssh-keys.ts";

export const PASS = "correct horse 1";

export interface Fixture {
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

export const FIXTURES: Fixture[] = [
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
export const path = (f: Fixture): string => join(dir, f.name.replace(/[^a-z0-9]+/gi, "_"));
export const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, { cwd: dir, input, stdio: ["pipe", "pipe", "pipe"] }).toString();

/** What ssh-keygen says about a key file: its public line (`-y`) and its `-lf` line. */
export function keygenView(keyPath: string, pass?: string): { pub: string; line: string } {
  const pub = run("ssh-keygen", ["-y", "-P", pass ?? "", "-f", keyPath]).trim();
  writeFileSync(`${keyPath}.derived.pub`, `${pub}\n`);
  return { pub, line: run("ssh-keygen", ["-lf", `${keyPath}.derived.pub`]).trim() };
}

export function writeKey(p: string, text: string): void {
  writeFileSync(p, text, { mode: 0o600 });
}

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof SshKeyError) return e.code;
    throw e;
  }
}

export function ssh2PublicBlob(text: string, pass?: string): string {
  const parsed = ssh2.utils.parseKey(text, pass);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH().toString("base64");
}

export const blobOf = (publicKeyLine: string): string => publicKeyLine.split(" ")[1]!;

export function pemBody(text: string): Buffer {
  return Buffer.from(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("-----"))
      .join(""),
    "base64",
  );
}

export function armourOpenSsh(body: Uint8Array): string {
  const b64 = Buffer.from(body).toString("base64");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64.match(/.{1,70}/g)!.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A path in the temp dir for a file a test writes itself. */
export const tempPath = (name: string): string => join(dir, name);

/** Registers the hooks that make every FIXTURES key file in a fresh temp dir, and remove it after. */
export function useKeyFiles(): void {
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
}
