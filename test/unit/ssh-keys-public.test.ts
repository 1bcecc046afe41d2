// generateEd25519, parseOpenSshPublicKey / fingerprintOfPublicKey and keygenLine, checked against the real
// ssh-keygen and ssh2 (keys from ssh-keys-fixtures.ts).
import { readFileSync } from "node:fs";
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import {
  fingerprintOfPublicKey,
  generateEd25519,
  importPrivateKey,
  keygenLine,
  type ParsedSshKey,
  parseOpenSshPublicKey,
  SshKeyError,
} from "../../workers/crypto/ssh-keys.ts";
import {
  blobOf,
  FIXTURES,
  keygenView,
  path,
  run,
  ssh2PublicBlob,
  tempPath,
  useKeyFiles,
  writeKey,
} from "./ssh-keys-fixtures.ts";

useKeyFiles();

describe("generateEd25519", () => {
  it("makes a key that ssh-keygen and ssh2 read, with matching fingerprint", async () => {
    const k = await generateEd25519("generated@nostromo");
    expect(k.type).toBe("ed25519");
    expect(k.bits).toBe(256);
    expect(k.encrypted).toBe(false);
    expect(k.comment).toBe("generated@nostromo");
    const p = tempPath("generated");
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
    const p = tempPath("generated-nocomment");
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
