// Keeps test/fixtures/ssh/expected.json honest: re-runs the real ssh-keygen on every committed fixture and
// checks it still prints what the file records (the workerd tests compare the API against these values),
// and that every private key file really is the private half of its .pub.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import expected from "../fixtures/ssh/expected.json";

const DIR = join(import.meta.dirname, "../fixtures/ssh");
// ssh-keygen refuses private keys readable by others, and git does not keep 0600: work on copies.
const work = mkdtempSync(join(tmpdir(), "ssh-fixtures-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const keygen = (...args: string[]) =>
  execFileSync("ssh-keygen", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

describe("test/fixtures/ssh/expected.json", () => {
  it("lists every key file in the folder", () => {
    const onDisk = readdirSync(DIR)
      .filter((f) => !f.endsWith(".pub") && f !== "expected.json")
      .sort();
    expect(expected.keys.map((k) => k.file).sort()).toEqual(onDisk);
  });

  for (const k of expected.keys) {
    it(`${k.file}: ssh-keygen -lf prints the recorded line, and the private key yields the .pub`, () => {
      const priv = join(work, k.file);
      copyFileSync(join(DIR, k.file), priv);
      chmodSync(priv, 0o600);
      const pub = readFileSync(join(DIR, `${k.file}.pub`), "utf8").trim();
      expect(pub).toBe(k.public_key);
      expect(keygen("-lf", join(DIR, `${k.file}.pub`))).toBe(k.keygen);
      expect(k.keygen).toBe(
        `${k.bits} ${k.fingerprint} ${k.comment} (${k.keygen.slice(k.keygen.lastIndexOf("(") + 1, -1)})`,
      );
      const derived = keygen("-y", "-P", k.passphrase ?? "", "-f", priv);
      expect(derived.split(" ").slice(0, 2)).toEqual(pub.split(" ").slice(0, 2));
      const head = readFileSync(priv, "utf8").split("\n")[0];
      expect(head).toContain(k.format === "openssh" ? "OPENSSH PRIVATE KEY" : "-----BEGIN ");
      if (k.format === "pem") expect(head).not.toContain("OPENSSH");
      if (k.passphrase) expect(() => keygen("-y", "-P", "", "-f", priv)).toThrow();
    });
  }
});
