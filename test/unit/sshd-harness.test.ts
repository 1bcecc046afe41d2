// The OpenSSH test target itself: password and key logins work, commands run, exit codes come back,
// and the advertised host key is the one the server really presents.

import { createHash } from "node:crypto";
import { startSshd, type TestSshd } from "@nostromo/testkit";
import { Client, type ConnectConfig } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let sshd: TestSshd;

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
});

interface RunResult {
  stdout: string;
  code: number | null;
  presentedKey: string;
}

function run(auth: Partial<ConnectConfig>, command: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presentedKey = "";
    client.on("error", reject);
    client.on("ready", () => {
      client.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = "";
        let code: number | null = null;
        stream.on("data", (d: Buffer) => {
          stdout += d.toString();
        });
        stream.stderr.resume();
        stream.on("exit", (c: number | null) => {
          code = c;
        });
        stream.on("close", () => {
          client.end();
          resolve({ stdout, code, presentedKey });
        });
      });
    });
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        presentedKey = key.toString("base64");
        return true;
      },
      ...auth,
    });
  });
}

describe("test sshd", () => {
  it("accepts the password", async () => {
    const result = await run({ password: sshd.password }, "echo hello");
    expect(result).toMatchObject({ stdout: "hello\n", code: 0 });
  });

  it("accepts the key, and the encrypted key with its passphrase", async () => {
    expect(await run({ privateKey: sshd.privateKey }, "whoami")).toMatchObject({
      stdout: `${sshd.user}\n`,
      code: 0,
    });
    const encrypted = await run(
      { privateKey: sshd.encryptedPrivateKey, passphrase: sshd.passphrase },
      "echo ok",
    );
    expect(encrypted).toMatchObject({ stdout: "ok\n", code: 0 });
  });

  it("rejects a wrong password", async () => {
    await expect(run({ password: `${sshd.password}x` }, "true")).rejects.toMatchObject({
      level: "client-authentication",
    });
  });

  it.each([
    ["true", 0],
    ["false", 1],
    ["definitely-not-a-command-xyz", 127],
  ])("reports the exit code of %s", async (command, code) => {
    expect((await run({ password: sshd.password }, command)).code).toBe(code);
  });

  it("presents the advertised host key and fingerprint", async () => {
    const { presentedKey } = await run({ privateKey: sshd.privateKey }, "true");
    expect(sshd.hostPublicKey.split(" ")[1]).toBe(presentedKey);
    const digest = createHash("sha256").update(Buffer.from(presentedKey, "base64")).digest("base64");
    expect(sshd.hostKeyFingerprint).toBe(`SHA256:${digest.replace(/=+$/, "")}`);
  });

  it("logs logins, which tests use as evidence", async () => {
    await run({ password: sshd.password }, "true");
    expect(sshd.logs()).toMatch(new RegExp(`Accepted password for ${sshd.user}`));
  });
});
