// The agent's SSH layer against a real OpenSSH server: both auth methods, host key trust on first
// use and pinning, failure codes with no secret in them, and one-shot exec.
import net from "node:net";
import type { ExecRequestFrame, SessionTarget } from "@nostromo/protocol";
import { startSshd, type TestSshd } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPartialUtf8, runExec, truncateUtf8 } from "../../containers/agent/src/exec";
import { createLogger } from "../../containers/agent/src/log";
import { connectSsh, SshConnectError } from "../../containers/agent/src/ssh";

let sshd: TestSshd;
const lines: string[] = [];
const log = createLogger({ level: "debug", write: (l) => lines.push(l) });
// A key that is valid but not the server's.
const OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl other";

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});

const passwordTarget = (overrides: Partial<SessionTarget> = {}): SessionTarget => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.user,
  auth: { type: "password", password: sshd.password },
  hostKey: null,
  ...overrides,
});

async function failureOf(target: SessionTarget) {
  const err = await connectSsh(target).then(
    (c) => {
      c.client.end();
      return null;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof SshConnectError)) throw new Error(`expected SshConnectError, got ${String(err)}`);
  return err.failure;
}

describe("connectSsh", () => {
  it("trusts on first use and reports the key exactly as ssh-keygen sees it", async () => {
    const { client, hostKey } = await connectSsh(passwordTarget());
    client.end();
    expect(hostKey.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(hostKey.line).toBe(sshd.hostPublicKey.split(" ").slice(0, 2).join(" "));
  });

  it("accepts the pinned key (comment ignored) with key and encrypted-key auth", async () => {
    const keyAuth = await connectSsh(
      passwordTarget({ auth: { type: "key", privateKey: sshd.privateKey }, hostKey: sshd.hostPublicKey }),
    );
    keyAuth.client.end();
    const encrypted = await connectSsh(
      passwordTarget({
        auth: { type: "key", privateKey: sshd.encryptedPrivateKey, passphrase: sshd.passphrase },
        hostKey: `${sshd.hostPublicKey.split(" ").slice(0, 2).join(" ")} a-different-comment`,
      }),
    );
    encrypted.client.end();
    expect(encrypted.hostKey.fingerprint).toBe(sshd.hostKeyFingerprint);
  });

  it("refuses a changed host key before authenticating", async () => {
    const before = sshd.logs().split("Accepted").length;
    const failure = await failureOf(passwordTarget({ hostKey: OTHER_KEY }));
    expect(failure).toMatchObject({ code: "HOST_KEY_CHANGED", hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(sshd.logs().split("Accepted").length).toBe(before);
  });

  it("maps a wrong password, a wrong passphrase and an unparsable key to AUTH_FAILED without leaking them", async () => {
    const wrong = await failureOf(passwordTarget({ auth: { type: "password", password: "Wr0ng-S3cret!" } }));
    expect(wrong.code).toBe("AUTH_FAILED");
    expect(wrong.message).not.toContain("Wr0ng-S3cret!");
    const badPassphrase = await failureOf(
      passwordTarget({
        auth: { type: "key", privateKey: sshd.encryptedPrivateKey, passphrase: "nope-nope" },
      }),
    );
    expect(badPassphrase.code).toBe("AUTH_FAILED");
    expect(badPassphrase.message).not.toContain("nope-nope");
    const garbage = await failureOf(passwordTarget({ auth: { type: "key", privateKey: "not a key" } }));
    expect(garbage.code).toBe("AUTH_FAILED");
  });

  it("maps a closed port to CONNECT_FAILED", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
      });
    });
    expect(await failureOf(passwordTarget({ port }))).toMatchObject({
      code: "CONNECT_FAILED",
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("maps a server that never speaks SSH to TIMEOUT", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 1;
    try {
      const err = await connectSsh(passwordTarget({ port }), { readyTimeoutMs: 500 }).catch(
        (e: unknown) => e,
      );
      expect((err as SshConnectError).failure.code).toBe("TIMEOUT");
    } finally {
      silent.close();
    }
  });
});

describe("runExec", () => {
  const request = (command: string, overrides: Partial<ExecRequestFrame> = {}): ExecRequestFrame => ({
    t: "exec.request",
    requestId: "req_1",
    target: passwordTarget(),
    command,
    timeoutMs: 10_000,
    maxOutputBytes: 65_536,
    ...overrides,
  });

  it.each([
    ["echo out; echo err >&2", 0, "out\nerr\n"],
    ["false", 1, ""],
    ["definitely-not-a-command-xyz 2>/dev/null", 127, ""],
    ["exit 42", 42, ""],
  ])("%s → exit %i", async (command, exitCode, output) => {
    expect(await runExec(request(command), log)).toMatchObject({
      t: "exec.result",
      requestId: "req_1",
      exitCode,
      signal: null,
      output,
      truncated: false,
    });
  });

  it("reports a signal instead of an exit code", async () => {
    expect(await runExec(request("kill -TERM $$"), log)).toMatchObject({ exitCode: null, signal: "SIGTERM" });
  });

  it("truncates at maxOutputBytes on a character boundary", async () => {
    const result = await runExec(request("printf 'aé%.0s' $(seq 1 100)", { maxOutputBytes: 10 }), log);
    expect(result).toMatchObject({ t: "exec.result", truncated: true, exitCode: 0 });
    if (result.t !== "exec.result") throw new Error(result.t);
    expect(result.output).toBe("aéaéaéa");
  });

  it("fails with TIMEOUT when the command outlives timeoutMs", async () => {
    const started = Date.now();
    expect(await runExec(request("sleep 5", { timeoutMs: 700 }), log)).toMatchObject({
      t: "exec.failed",
      code: "TIMEOUT",
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("fails with AUTH_FAILED and never logs the password", async () => {
    const result = await runExec(
      request("true", { target: passwordTarget({ auth: { type: "password", password: "Leak-Me-Not-9" } }) }),
      log,
    );
    expect(result).toMatchObject({ t: "exec.failed", code: "AUTH_FAILED" });
    expect(lines.join("")).not.toContain("Leak-Me-Not-9");
    expect(lines.join("")).not.toContain(sshd.password);
  });
});

describe("UTF-8 cutting", () => {
  it("never leaves half a character", () => {
    const text = Buffer.from("aé€😀");
    expect(truncateUtf8(text, 2).toString()).toBe("a");
    expect(truncateUtf8(text, 3).toString()).toBe("aé");
    expect(truncateUtf8(text, 5).toString()).toBe("aé");
    expect(truncateUtf8(text, 6).toString()).toBe("aé€");
    expect(dropPartialUtf8(text.subarray(0, 9)).toString()).toBe("aé€");
    expect(dropPartialUtf8(text).toString()).toBe("aé€😀");
  });
});
