// Control-link frames: every valid frame survives encode → parse unchanged; garbage is rejected
// with a readable error and never throws.
import { describe, expect, it } from "vitest";
import {
  type AgentFrame,
  type EdgeFrame,
  EXEC_OUTPUT_CHUNK_CHARS,
  encodeAgentFrame,
  encodeEdgeFrame,
  parseAgentFrame,
  parseEdgeFrame,
} from "./agent";
import { MAX_FRAME_BYTES } from "./frame";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl host";
const fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
const target = {
  host: "10.0.0.5",
  port: 22,
  username: "deploy",
  auth: { type: "password" as const, password: "hunter2" },
  hostKey: null,
};

const agentFrames: AgentFrame[] = [
  {
    t: "hello",
    version: "0.1.0",
    hostname: "web-1",
    os: "Debian GNU/Linux 12",
    platform: "linux",
    arch: "x64",
    uptimeSec: 1234.5,
    sessions: ["ses_1", "ses_2"],
  },
  { t: "heartbeat", ts: 1_700_000_000_000 },
  { t: "heartbeat", ts: 1_700_000_000_000, pingTs: 1_699_999_999_000 },
  {
    t: "metrics",
    ts: 1_700_000_000_000,
    cpu_load_pct: 12.5,
    memory_usage_pct: 40,
    disk_usage_pct: null,
    active_connections: 2,
    hostname: "web-1",
    os: "Debian GNU/Linux 12",
    uptime_sec: 99,
    agent_version: "0.1.0",
    memory_total_bytes: 8_000_000_000,
    disk_total_bytes: null,
  },
  { t: "error", level: "warn", message: "disk almost full", context: { mount: "/", pct: 97, ok: false } },
  { t: "session.opened", sessionId: "ses_1", hostKey, hostKeyFingerprint: fingerprint },
  {
    t: "session.failed",
    sessionId: "ses_1",
    code: "HOST_KEY_CHANGED",
    message: "x",
    hostKeyFingerprint: fingerprint,
  },
  { t: "session.failed", sessionId: "ses_1", code: "AUTH_FAILED", message: "authentication failed" },
  { t: "session.closed", sessionId: "ses_1", reason: "exit", exitCode: 0 },
  { t: "session.closed", sessionId: "ses_1", reason: "closed by edge", exitCode: null },
  {
    t: "exec.result",
    requestId: "req_1",
    output: "hello\n",
    exitCode: 0,
    signal: null,
    durationMs: 12,
    truncated: false,
  },
  { t: "exec.output", requestId: "req_1", seq: 0, stream: "stdout", data: "first line\n" },
  { t: "exec.output", requestId: "req_1", seq: 1, stream: "stderr", data: "warning\n" },
  { t: "exec.failed", requestId: "req_1", code: "TIMEOUT", message: "timed out after 500 ms" },
];

const edgeFrames: EdgeFrame[] = [
  { t: "hello.ack", agentId: "agt_1", heartbeatIntervalMs: 15000 },
  { t: "hello.ack", agentId: "agt_1", heartbeatIntervalMs: 15000, metricsIntervalMs: 10000 },
  {
    t: "session.open",
    sessionId: "ses_1",
    dataUrl: "/api/remote-sessions/ses_1/agent",
    dataToken: "tok_abc",
    target,
    cols: 80,
    rows: 24,
    term: "xterm-256color",
    shellIntegration: true,
    markKey: "mk_0123456789abcdefghijklmnopqrstuvwxyzAB",
  },
  {
    t: "session.open",
    sessionId: "ses_2",
    dataUrl: "/api/remote-sessions/ses_2/agent?x=1",
    dataToken: "tok_abc",
    target: {
      ...target,
      auth: { type: "key", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n…", passphrase: null },
      hostKey,
    },
    cols: 200,
    rows: 50,
    term: "xterm-256color",
    shellIntegration: false,
  },
  { t: "session.close", sessionId: "ses_1", reason: "killed by admin" },
  {
    t: "exec.request",
    requestId: "req_1",
    target,
    command: "uptime",
    timeoutMs: 5000,
    maxOutputBytes: 65536,
  },
  {
    t: "exec.request",
    requestId: "req_2",
    target,
    command: "make test",
    timeoutMs: 5000,
    maxOutputBytes: 65536,
    stream: true,
  },
  { t: "ping", ts: 1 },
  { t: "revoked", reason: "agent disabled" },
  {
    t: "vnc.open",
    sessionId: "ses_3",
    dataUrl: "/api/remote-sessions/ses_3/agent",
    dataToken: "tok_abc",
    host: "127.0.0.1",
    port: 5900,
    password: "vnc-pass",
  },
  {
    t: "vnc.open",
    sessionId: "ses_4",
    dataUrl: "/api/remote-sessions/ses_4/agent",
    dataToken: "tok_abc",
    host: "desk.internal",
    port: 5901,
    password: null,
  },
];

describe("agent → edge frames", () => {
  it.each(agentFrames.map((f) => [f.t, f] as const))("%s round-trips", (_t, frame) => {
    expect(parseAgentFrame(encodeAgentFrame(frame))).toEqual({ ok: true, msg: frame });
  });

  it("rejects an edge frame sent the wrong way", () => {
    expect(parseAgentFrame(encodeEdgeFrame({ t: "ping", ts: 1 })).ok).toBe(false);
  });

  it("rejects percentages outside 0–100 and a fingerprint that is not OpenSSH's", () => {
    const metrics = { ...agentFrames[3], cpu_load_pct: 100.1 };
    expect(parseAgentFrame(JSON.stringify(metrics))).toMatchObject({ ok: false, error: /cpu_load_pct/ });
    const opened = { t: "session.opened", sessionId: "s", hostKey, hostKeyFingerprint: "MD5:aa" };
    expect(parseAgentFrame(JSON.stringify(opened))).toMatchObject({ ok: false, error: /hostKeyFingerprint/ });
  });

  it("bounds exec.output: a chunk, a sequence number and a stream it knows", () => {
    const output = { t: "exec.output" as const, requestId: "req_1", seq: 0, stream: "stdout", data: "x" };
    const big = { ...output, data: "x".repeat(EXEC_OUTPUT_CHUNK_CHARS + 1) };
    expect(parseAgentFrame(JSON.stringify(big))).toMatchObject({ ok: false, error: /data/ });
    expect(parseAgentFrame(JSON.stringify({ ...output, seq: -1 }))).toMatchObject({
      ok: false,
      error: /seq/,
    });
    expect(parseAgentFrame(JSON.stringify({ ...output, stream: "tty" }))).toMatchObject({
      ok: false,
      error: /stream/,
    });
    expect(parseAgentFrame(JSON.stringify({ ...output, data: "" }))).toMatchObject({
      ok: false,
      error: /data/,
    });
    // The largest chunk, every character escaped sixfold by JSON, still fits in one frame.
    const worst = encodeAgentFrame({
      ...output,
      stream: "stdout",
      data: "\u0001".repeat(EXEC_OUTPUT_CHUNK_CHARS),
    });
    expect(worst.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(parseAgentFrame(worst).ok).toBe(true);
  });

  it("drops unknown fields so that a newer peer can add some", () => {
    const parsed = parseAgentFrame(JSON.stringify({ t: "heartbeat", ts: 5, extra: true }));
    expect(parsed).toEqual({ ok: true, msg: { t: "heartbeat", ts: 5 } });
  });
});

describe("edge → agent frames", () => {
  it.each(edgeFrames.map((f) => [f.t, f] as const))("%s round-trips", (_t, frame) => {
    expect(parseEdgeFrame(encodeEdgeFrame(frame))).toEqual({ ok: true, msg: frame });
  });

  const open = edgeFrames[2] as Extract<EdgeFrame, { t: "session.open" }>;
  it.each([
    ["an absolute data URL", { ...open, dataUrl: "https://evil.example/steal" }, /dataUrl/],
    ["a protocol-relative data URL", { ...open, dataUrl: "//evil.example/x" }, /dataUrl/],
    ["a port out of range", { ...open, target: { ...target, port: 70000 } }, /target\.port/],
    ["an unknown auth type", { ...open, target: { ...target, auth: { type: "agent" } } }, /target\.auth/],
    ["a host key that is not a key line", { ...open, target: { ...target, hostKey: "nope" } }, /hostKey/],
    ["a zero-column terminal", { ...open, cols: 0 }, /cols/],
    ["a terminal type with spaces", { ...open, term: "xterm 256" }, /term/],
    ["a short mark key", { ...open, markKey: "short" }, /markKey/],
    [
      "a mark key that could break out of a shell quote",
      { ...open, markKey: `${"a".repeat(40)}'; x` },
      /markKey/,
    ],
  ])("rejects session.open with %s", (_name, frame, error) => {
    expect(parseEdgeFrame(JSON.stringify(frame))).toMatchObject({ ok: false, error });
  });

  it.each([
    ["an absolute data URL", { dataUrl: "https://evil.example/steal" }, /dataUrl/],
    ["a host with a path", { host: "evil.example/x" }, /host/],
    ["no password field", { password: undefined }, /password/],
  ])("rejects vnc.open with %s", (_name, change, error) => {
    const vnc = edgeFrames.find((f) => f.t === "vnc.open");
    expect(parseEdgeFrame(JSON.stringify({ ...vnc, ...change }))).toMatchObject({ ok: false, error });
  });

  it("caps exec output so the result fits in a frame", () => {
    const request = { ...edgeFrames[5], maxOutputBytes: 10 * 1024 * 1024 };
    expect(parseEdgeFrame(JSON.stringify(request))).toMatchObject({ ok: false, error: /maxOutputBytes/ });
  });
});

describe("garbage", () => {
  const oversized = JSON.stringify({ t: "revoked", reason: "x".repeat(MAX_FRAME_BYTES) });
  const multibyteOversized = JSON.stringify({ t: "revoked", reason: "é".repeat(MAX_FRAME_BYTES / 2 + 10) });
  it.each([
    ["non-JSON", "{not json", /not valid JSON/],
    ["an empty string", "", /not valid JSON/],
    ["JSON null", "null", /^\(root\)/],
    ["an array", "[1,2]", /^\(root\)/],
    ["a number", "42", /^\(root\)/],
    ["a missing discriminator", '{"ts":1}', /^t: Invalid discriminator/],
    ["an unknown type", '{"t":"launch.missiles"}', /^t: Invalid discriminator/],
    ["a wrong field type", '{"t":"ping","ts":"soon"}', /^ts: /],
    ["a prototype-pollution attempt", '{"t":"ping","ts":1,"__proto__":{"polluted":true}}', null],
    ["an oversized frame", oversized, /larger than/],
    ["an oversized frame of multi-byte characters", multibyteOversized, /larger than/],
  ])("%s is handled without throwing", (_name, text, error) => {
    const result = parseEdgeFrame(text);
    if (error === null) {
      expect(result).toEqual({ ok: true, msg: { t: "ping", ts: 1 } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } else {
      expect(result).toMatchObject({ ok: false, error });
    }
  });

  it.each([
    ["binary data", new Uint8Array([123, 125])],
    ["undefined", undefined],
    ["an object", { t: "ping", ts: 1 }],
  ])("rejects %s that is not text", (_name, value) => {
    expect(parseEdgeFrame(value)).toEqual({ ok: false, error: "expected a text frame" });
    expect(parseAgentFrame(value)).toEqual({ ok: false, error: "expected a text frame" });
  });
});
