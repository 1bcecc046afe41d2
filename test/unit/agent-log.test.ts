// Logging: JSON lines with level filtering, and redaction of anything secret whatever its shape.
import { inspect } from "node:util";
import { Secret } from "@nostromo/crypto";
import { describe, expect, it } from "vitest";
import { createLogger, redact } from "../../containers/agent/src/log";

const PEM =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";

describe("redact", () => {
  it("hides values under secret-looking keys at any depth", () => {
    const out = redact({
      target: { host: "h", auth: { type: "password", password: "hunter2" } },
      password: "hunter2",
      passphrase: "pp",
      dataToken: "tok",
      privateKeyPkcs8: "MC4CAQ",
      headers: { Authorization: "Bearer abc", "X-Nostromo-Signature": "sig" },
      list: [{ token: "t1" }],
      publicKey: "AAAA",
      hostKey: "ssh-ed25519 AAAA",
    });
    expect(out).toEqual({
      target: { host: "h", auth: "[REDACTED]" },
      password: "[REDACTED]",
      passphrase: "[REDACTED]",
      dataToken: "[REDACTED]",
      privateKeyPkcs8: "[REDACTED]",
      headers: { Authorization: "[REDACTED]", "X-Nostromo-Signature": "[REDACTED]" },
      list: [{ token: "[REDACTED]" }],
      publicKey: "AAAA",
      hostKey: "ssh-ed25519 AAAA",
    });
  });

  it("scrubs private keys and bearer credentials inside free text and errors", () => {
    expect(redact(`oops ${PEM} end`)).toBe("oops [REDACTED PRIVATE KEY] end");
    expect(redact("header was Bearer eyJabc.def")).toBe("header was Bearer [REDACTED]");
    const err = Object.assign(new Error(`cannot parse ${PEM}`), { code: "EBAD" });
    expect(redact({ error: err })).toEqual({
      error: { name: "Error", message: "cannot parse [REDACTED PRIVATE KEY]", code: "EBAD" },
    });
  });

  it("survives cycles, bytes, bigints and Secret values", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ a: 1, self: "[Circular]" });
    expect(redact({ b: Buffer.from("abc"), n: 10n, s: new Secret("x") })).toEqual({
      b: "[3 bytes]",
      n: "10",
      s: "[REDACTED]",
    });
  });
});

describe("Secret", () => {
  it("never prints its value", () => {
    const secret = new Secret("hunter2");
    expect(`${secret}`).toBe("[REDACTED]");
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
    expect(inspect({ secret })).not.toContain("hunter2");
    expect(secret.reveal()).toBe("hunter2");
  });
});

describe("createLogger", () => {
  it("writes one JSON object per line, filtered by level, with child fields", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (l) => lines.push(l) });
    log.debug("hidden");
    log.child({ sessionId: "ses_1" }).warn("session.failed", { password: "hunter2", code: "AUTH_FAILED" });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    const entry = JSON.parse(lines[0] ?? "");
    expect(entry).toEqual({
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: "warn",
      msg: "session.failed",
      sessionId: "ses_1",
      password: "[REDACTED]",
      code: "AUTH_FAILED",
    });
  });

  it("does not let fields overwrite ts, level or msg", () => {
    const lines: string[] = [];
    createLogger({ level: "debug", write: (l) => lines.push(l) }).error("real", {
      msg: "fake",
      level: "debug",
    });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "error", msg: "real" });
  });
});
