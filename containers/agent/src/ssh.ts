// Opening SSH connections to targets with ssh2: authentication, host key pinning / trust on first use,
// and turning ssh2's errors into the protocol's failure codes with messages that carry no secret.
import { createHash } from "node:crypto";
import type { FailureCode, SessionTarget } from "@nostromo/protocol";
import { Client, type ConnectConfig } from "ssh2";

export const SSH_READY_TIMEOUT_MS = 15_000;

export interface PresentedHostKey {
  /** OpenSSH public key line without comment: "<type> <base64 blob>". */
  line: string;
  /** "SHA256:<unpadded base64>", exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

export interface SshFailure {
  code: FailureCode;
  message: string;
  hostKeyFingerprint?: string;
}

export class SshConnectError extends Error {
  override name = "SshConnectError";
  constructor(readonly failure: SshFailure) {
    super(failure.message);
  }
}

/** Builds the OpenSSH line and fingerprint from the key blob ssh2 hands to hostVerifier. */
export function describeHostKey(blob: Buffer): PresentedHostKey {
  const typeLength = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + typeLength).toString("ascii") || "unknown";
  return {
    line: `${type} ${blob.toString("base64")}`,
    fingerprint: `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
  };
}

/** Same algorithm and same key blob; the comment of the pinned line is ignored. */
export function hostKeyMatches(pinnedLine: string, blob: Buffer): boolean {
  const [type, base64] = pinnedLine.trim().split(/\s+/);
  if (!type || !base64) return false;
  const presented = describeHostKey(blob);
  return presented.line === `${type} ${Buffer.from(base64, "base64").toString("base64")}`;
}

const CONNECT_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "EPIPE",
]);

/** Maps an ssh2 / socket error to a failure code and a message safe to show and log. */
export function classifySshError(
  err: unknown,
  target: Pick<SessionTarget, "host" | "port" | "username">,
): SshFailure {
  const e = err as Error & { level?: string; code?: string };
  const where = `${target.host}:${target.port}`;
  if (e.level === "client-authentication") {
    return { code: "AUTH_FAILED", message: `authentication failed for user ${target.username} at ${where}` };
  }
  if (e.level === "client-timeout" || e.code === "ETIMEDOUT") {
    return {
      code: "TIMEOUT",
      message: `no SSH handshake with ${where} within ${SSH_READY_TIMEOUT_MS / 1000} s`,
    };
  }
  if (e.level === "client-dns" || (e.code !== undefined && CONNECT_ERRNOS.has(e.code))) {
    return { code: "CONNECT_FAILED", message: `cannot connect to ${where}${e.code ? ` (${e.code})` : ""}` };
  }
  if (/privateKey|private key|passphrase|Encrypted/i.test(e.message ?? "")) {
    return {
      code: "AUTH_FAILED",
      message: "the private key cannot be used (malformed, or wrong passphrase)",
    };
  }
  if (e.level === "protocol" || e.level === "handshake") {
    return { code: "PROTOCOL", message: `SSH protocol error with ${where}: ${e.message}` };
  }
  return { code: "INTERNAL", message: `SSH connection to ${where} failed: ${e.message ?? String(err)}` };
}

export interface SshConnection {
  client: Client;
  hostKey: PresentedHostKey;
}

export interface ConnectOptions {
  readyTimeoutMs?: number;
}

/**
 * Connects and authenticates. Resolves once the connection is ready; rejects with SshConnectError.
 * A pinned host key that differs from the presented one aborts before any credential is sent.
 */
export function connectSsh(target: SessionTarget, options: ConnectOptions = {}): Promise<SshConnection> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: PresentedHostKey | null = null;
    let mismatch = false;
    let settled = false;
    const fail = (failure: SshFailure) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(new SshConnectError(failure));
    };

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: options.readyTimeoutMs ?? SSH_READY_TIMEOUT_MS,
      // Detect a target that vanished without closing TCP (cable pulled, VM paused).
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer) => {
        presented = describeHostKey(blob);
        if (target.hostKey && !hostKeyMatches(target.hostKey, blob)) {
          mismatch = true;
          return false;
        }
        return true;
      },
    };
    if (target.auth.type === "password") {
      const password = target.auth.password;
      config.password = password;
      // Some servers only offer keyboard-interactive. Answer a single hidden prompt (the password
      // prompt) with the password and nothing else, so it is never typed into an OTP or other prompt.
      config.tryKeyboard = true;
      client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => {
        const [only] = prompts;
        finish(prompts.length === 1 && only && !only.echo ? [password] : prompts.map(() => ""));
      });
    } else {
      config.privateKey = target.auth.privateKey;
      if (target.auth.passphrase) config.passphrase = target.auth.passphrase;
    }

    client.once("ready", () => {
      if (settled) return;
      settled = true;
      // Interactive traffic: without TCP_NODELAY each keystroke written to the target waited for the
      // target's delayed ACK (~40 ms per echo, measured by bench/session.ts); ssh2 leaves Nagle on.
      client.setNoDelay(true);
      if (!presented) {
        client.end();
        reject(new SshConnectError({ code: "PROTOCOL", message: "the server presented no host key" }));
        return;
      }
      resolve({ client, hostKey: presented });
    });
    client.on("error", (err) => {
      if (mismatch && presented) {
        fail({
          code: "HOST_KEY_CHANGED",
          message: `host key of ${target.host}:${target.port} does not match the pinned key (presented ${presented.fingerprint})`,
          hostKeyFingerprint: presented.fingerprint,
        });
        return;
      }
      fail(classifySshError(err, target));
    });
    client.once("close", () =>
      fail({ code: "CONNECT_FAILED", message: `${target.host}:${target.port} closed the connection` }),
    );
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for a private key it cannot parse.
      fail(classifySshError(err, target));
    }
  });
}
