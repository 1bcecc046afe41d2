// Proves workers/crypto/ssh-keys.ts runs inside workerd (compatibility_date 2026-04-26, nodejs_compat), the
// runtime it ships in: the module is bundled by wrangler's own build (`wrangler deploy --dry-run`), loaded
// into Miniflare's workerd, and fed keys made by ssh-keygen/openssl that exercise every primitive (bcrypt KDF,
// AES-CTR/CBC/GCM, ChaCha20-Poly1305, 3DES via node:crypto, MD5, PBKDF2, Ed25519/ECDSA derivation). Results
// must equal ssh-keygen's and the Node run's.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPrivateKey, keygenLine, type ParsedSshKey } from "../../workers/crypto/ssh-keys.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const PASS = "workerd pass 1";

interface Case {
  name: string;
  make: string[][];
  pass?: string;
  /** ssh-keygen 9.2 cannot read openssl's PKCS#8 ed25519. */
  keygenReadsIt?: boolean;
}

const kg = (...args: string[]): string[] => ["ssh-keygen", "-q", ...args, "-f", "$K"];
const CASES: Case[] = [
  { name: "openssh ed25519 plain", make: [kg("-t", "ed25519", "-N", "", "-C", "wd@plain")] },
  { name: "openssh ed25519 aes256-ctr (16 rounds)", pass: PASS, make: [kg("-t", "ed25519", "-N", PASS)] },
  {
    name: "openssh rsa-2048 chacha20-poly1305",
    pass: PASS,
    make: [kg("-t", "rsa", "-b", "2048", "-N", PASS, "-a", "4", "-Z", "chacha20-poly1305@openssh.com")],
  },
  {
    name: "openssh ecdsa-521 aes256-gcm",
    pass: PASS,
    make: [kg("-t", "ecdsa", "-b", "521", "-N", PASS, "-a", "4", "-Z", "aes256-gcm@openssh.com")],
  },
  {
    name: "openssh ecdsa-256 aes128-cbc",
    pass: PASS,
    make: [kg("-t", "ecdsa", "-N", PASS, "-a", "4", "-Z", "aes128-cbc")],
  },
  {
    name: "openssh ed25519 3des-cbc",
    pass: PASS,
    make: [kg("-t", "ed25519", "-N", PASS, "-a", "4", "-Z", "3des-cbc")],
  },
  {
    name: "pem rsa-2048 AES-128-CBC",
    pass: PASS,
    make: [kg("-t", "rsa", "-b", "2048", "-m", "PEM", "-N", PASS)],
  },
  {
    name: "openssl rsa-2048 traditional DES-EDE3-CBC",
    pass: PASS,
    make: [
      ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "$K.plain"],
      [
        "openssl",
        "rsa",
        "-traditional",
        "-des3",
        "-in",
        "$K.plain",
        "-passout",
        `pass:${PASS}`,
        "-out",
        "$K",
      ],
    ],
  },
  {
    name: "pkcs8 ecdsa-384 PBES2",
    pass: PASS,
    make: [kg("-t", "ecdsa", "-b", "384", "-m", "PKCS8", "-N", PASS)],
  },
  {
    name: "openssl ed25519 pkcs8",
    keygenReadsIt: false,
    make: [["openssl", "genpkey", "-algorithm", "ed25519", "-out", "$K"]],
  },
  {
    name: "openssl ec P-256 SEC1 without public key",
    make: [
      ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$K.plain"],
      ["openssl", "ec", "-no_public", "-in", "$K.plain", "-out", "$K"],
    ],
  },
];

// The worker: one POST carries every request so workerd is started once.
const ENTRY = `
import { generateEd25519, importPrivateKey, parseOpenSshPublicKey, SshKeyError } from ${JSON.stringify(
  join(REPO, "workers/crypto/ssh-keys.ts"),
)};
async function attempt(fn) {
  const start = Date.now();
  try { return { ok: await fn(), ms: Date.now() - start }; }
  catch (e) { return { error: e instanceof SshKeyError ? e.code : "CRASH " + String(e), ms: Date.now() - start }; }
}
export default {
  async fetch(request) {
    const { imports, publicLines } = await request.json();
    const out = { imports: [], publicLines: [] };
    for (const c of imports) out.imports.push(await attempt(() => importPrivateKey(c.text, c.pass, c.comment)));
    for (const l of publicLines) out.publicLines.push(await attempt(() => parseOpenSshPublicKey(l)));
    out.generated = await attempt(() => generateEd25519("made-in-workerd"));
    return Response.json(out);
  },
};
`;

interface Attempt<T> {
  ok?: T;
  error?: string;
  ms: number;
}
interface WorkerReply {
  imports: Attempt<ParsedSshKey>[];
  publicLines: Attempt<{ fingerprint: string; bits: number }>[];
  generated: Attempt<ParsedSshKey>;
}

let dir = "";
let mf: Miniflare | undefined;
let reply: WorkerReply;
const keyPath = (c: Case): string => join(dir, c.name.replace(/[^a-z0-9]+/gi, "_"));
const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] }).toString();

function ssh2Blob(text: string, pass?: string): string {
  const k = ssh2.utils.parseKey(text, pass);
  if (k instanceof Error) throw k;
  return (Array.isArray(k) ? k[0] : k).getPublicSSH().toString("base64");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ssh-keys-workerd-"));
  for (const c of CASES) {
    for (const cmd of c.make) {
      const [bin, ...args] = cmd.map((a) => a.replaceAll("$K", keyPath(c)));
      run(bin!, args);
    }
    execFileSync("chmod", ["600", keyPath(c)]);
  }
  // Bundle with wrangler, exactly as a deploy would (no banner: it also skips wrangler's update check).
  writeFileSync(join(dir, "entry.js"), ENTRY);
  writeFileSync(
    join(dir, "wrangler.toml"),
    'name = "ssh-keys-probe"\nmain = "entry.js"\ncompatibility_date = "2026-04-26"\ncompatibility_flags = ["nodejs_compat"]\n',
  );
  execFileSync(
    process.execPath,
    [join(REPO, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", "dist"],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false", CI: "1" },
    },
  );
  const bundled = join(dir, "dist/entry.js");
  mf = new Miniflare({
    modulesRoot: join(dir, "dist"),
    modules: [{ type: "ESModule", path: bundled, contents: readFileSync(bundled, "utf8") }],
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat"],
  });
  const imports = [
    ...CASES.map((c) => ({ text: readFileSync(keyPath(c), "utf8"), pass: c.pass })),
    // Refusals: wrong / missing passphrase, garbage, a public key, a 1 MB blob.
    { text: readFileSync(keyPath(CASES[1]!), "utf8"), pass: "wrong" },
    { text: readFileSync(keyPath(CASES[6]!), "utf8"), pass: "wrong" },
    { text: readFileSync(keyPath(CASES[8]!), "utf8"), pass: "wrong" },
    { text: readFileSync(keyPath(CASES[3]!), "utf8") },
    { text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt\n-----END OPENSSH PRIVATE KEY-----" },
    { text: readFileSync(`${keyPath(CASES[0]!)}.pub`, "utf8") },
    { text: "A".repeat(1024 * 1024) },
  ];
  const publicLines = [readFileSync(`${keyPath(CASES[0]!)}.pub`, "utf8"), "ssh-ed25519 AAAA"];
  const res = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    body: JSON.stringify({ imports, publicLines }),
  });
  reply = (await res.json()) as WorkerReply;
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("ssh-keys inside workerd", () => {
  it.each(
    CASES.map((c, i) => [c.name, i] as const),
  )("%s: same result as ssh-keygen and Node", async (_n, i) => {
    const c = CASES[i]!;
    const got = reply.imports[i]!;
    expect(got.error).toBeUndefined();
    const k = got.ok!;
    const node = await importPrivateKey(readFileSync(keyPath(c), "utf8"), c.pass);
    expect({ ...k, privateKey: "" }).toEqual({ ...node, privateKey: "" });
    if (c.keygenReadsIt !== false) {
      const pub = run("ssh-keygen", ["-y", "-P", c.pass ?? "", "-f", keyPath(c)]).trim();
      writeFileSync(`${keyPath(c)}.derived.pub`, `${pub}\n`);
      expect(k.publicKey).toBe(pub);
      expect(keygenLine(k)).toBe(run("ssh-keygen", ["-lf", `${keyPath(c)}.derived.pub`]).trim());
    }
    // Re-encoded keys differ from Node's only in the random check word; ssh2 must read both the same way.
    expect(ssh2Blob(k.privateKey, k.encrypted ? c.pass : undefined)).toBe(k.publicKey.split(" ")[1]);
  });

  it("refuses bad input with the same error codes", () => {
    const refusals = reply.imports.slice(CASES.length).map((r) => r.error);
    expect(refusals).toEqual([
      "SSH_KEY_BAD_PASSPHRASE",
      "SSH_KEY_BAD_PASSPHRASE",
      "SSH_KEY_BAD_PASSPHRASE",
      "SSH_KEY_PASSPHRASE_REQUIRED",
      "SSH_KEY_MALFORMED",
      "SSH_KEY_MALFORMED",
      "SSH_KEY_MALFORMED",
    ]);
  });

  it("parses public key lines", () => {
    const line = readFileSync(`${keyPath(CASES[0]!)}.pub`, "utf8");
    const ref = run("ssh-keygen", ["-lf", `${keyPath(CASES[0]!)}.pub`]).split(" ");
    expect(reply.publicLines[0]!.ok?.fingerprint).toBe(ref[1]);
    expect(line.startsWith("ssh-ed25519 ")).toBe(true);
    expect(reply.publicLines[1]!.error).toBe("SSH_KEY_MALFORMED");
  });

  it("generates an ed25519 key that ssh-keygen and ssh2 read", () => {
    const k = reply.generated.ok!;
    expect(reply.generated.error).toBeUndefined();
    const p = join(dir, "generated-in-workerd");
    writeFileSync(p, k.privateKey, { mode: 0o600 });
    expect(run("ssh-keygen", ["-y", "-f", p]).trim()).toBe(k.publicKey);
    expect(run("ssh-keygen", ["-lf", p]).trim()).toBe(keygenLine(k));
    expect(ssh2Blob(k.privateKey)).toBe(k.publicKey.split(" ")[1]);
  });
});
