// End to end for the agent: the real agent process (tsx main.ts) against a stand-in edge speaking
// packages/protocol and a real OpenSSH server. Steps run in order and share one agent where they can.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { SessionTarget } from "@nostromo/protocol";
import { startSshd, type TestSshd } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EdgeState,
  type LinkConnection,
  newEdgeState,
  StandInEdge,
  waitUntil,
} from "../../containers/agent/test/edge-stand-in";

const REPO = path.resolve(import.meta.dirname, "../..");
const ENROLL_TOKEN = "tok_relay_test_0123456789";
const MARK_KEY = "relay_test_mark_key_0123456789abcdefghij";
const OTHER_HOST_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl other";

interface AgentProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  logs: () => Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startAgent(env: Record<string, string>): AgentProcess {
  // `node --import tsx` (not the tsx CLI) so that signals reach the agent itself, as in the image.
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: os.tmpdir(),
    NOSTROMO_METRICS_INTERVAL_MS: "1000",
    NOSTROMO_HEARTBEAT_INTERVAL_MS: "1000",
    NOSTROMO_LOG_LEVEL: "debug",
    ...env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "containers/agent/src/main.ts"], {
    cwd: REPO,
    // Only these variables: nothing from the test runner's environment leaks into the agent.
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
  };
}

async function exitCodeOf(agent: AgentProcess, timeoutMs = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`agent did not exit; stderr: ${agent.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([agent.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let sshd: TestSshd;
let state: EdgeState;
let edge: StandInEdge;
let root: string;
let stateDir: string;
let agent: AgentProcess;
let link: LinkConnection;
const running: AgentProcess[] = [];

const spawnAgent = (env: Record<string, string>) => {
  const a = startAgent(env);
  running.push(a);
  return a;
};

const target = (overrides: Partial<SessionTarget> = {}): SessionTarget => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.user,
  auth: { type: "password", password: sshd.password },
  hostKey: null,
  ...overrides,
});

beforeAll(async () => {
  [sshd, root] = await Promise.all([startSshd(), mkdtemp(path.join(os.tmpdir(), "agent-relay-"))]);
  state = newEdgeState([ENROLL_TOKEN]);
  edge = await StandInEdge.start({ state });
  stateDir = path.join(root, "state");
  agent = spawnAgent({
    NOSTROMO_URL: edge.url,
    NOSTROMO_ENROLL_TOKEN: ENROLL_TOKEN,
    NOSTROMO_STATE_DIR: stateDir,
    NOSTROMO_AGENT_NAME: "relay-test",
  });
  link = await edge.nextLink(0);
}, 30_000);

afterAll(async () => {
  for (const a of running) if (a.child.exitCode === null) a.child.kill("SIGKILL");
  await edge?.stop();
  await sshd?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("agent against a stand-in edge and a real sshd", { timeout: 15_000 }, () => {
  it("enrols once and keeps its credential private (0600 file in a 0700 directory)", async () => {
    expect(state.enrollRequests).toHaveLength(1);
    const request = state.enrollRequests[0];
    expect(request).toMatchObject({ token: ENROLL_TOKEN, hostname: os.hostname(), name: "relay-test" });
    const file = path.join(stateDir, "credentials.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(file, "utf8"));
    expect(saved).toMatchObject({ agentId: "agt_1", tenantId: "ten_test", url: edge.url });
    expect(saved.publicKey).toBe(request?.publicKey);
    expect(JSON.stringify(saved)).not.toContain(ENROLL_TOKEN);
  });

  it("opens a link the edge authenticated, then sends hello, metrics and heartbeats", async () => {
    expect(link.agentId).toBe("agt_1");
    expect(state.linkAttempts[0]).toEqual({ status: 101, reason: "ok" });
    const hello = await link.waitForFrame("hello");
    expect(hello).toMatchObject({
      hostname: os.hostname(),
      sessions: [],
      name: "relay-test",
      platform: "linux",
    });
    expect(link.frames[0]?.t).toBe("hello");
    const metrics = await link.waitForFrame("metrics");
    expect(metrics.hostname).toBe(os.hostname());
    expect(metrics.cpu_load_pct).toBeGreaterThanOrEqual(0);
    await link.waitForFrame("heartbeat");
    const beat = JSON.parse(
      await waitUntil(() => readFile(path.join(stateDir, "heartbeat"), "utf8").catch(() => "")),
    );
    expect(beat).toMatchObject({ intervalMs: 1000 });
    expect(link.badFrames).toEqual([]);
  });

  it("ignores malformed frames from the edge", async () => {
    link.ws.send("{ this is not json");
    link.ws.send(JSON.stringify({ t: "session.open", sessionId: "x" }));
    await waitUntil(
      () => agent.logs().filter((l) => l.msg === "link.bad_frame").length >= 2,
      5000,
      "bad_frame logs",
    );
    const report = await link.waitForFrame("error");
    expect(report).toMatchObject({ level: "warn", context: { error: expect.stringMatching(/JSON/) } });
    expect(agent.child.exitCode).toBeNull();
  });

  it("relays a password session: typed bytes run, output returns, resize applies, close ends it", async () => {
    edge.openSession(link, "ses_pw", target(), { cols: 100, rows: 30 });
    const opened = await link.waitForFrame("session.opened", (f) => f.sessionId === "ses_pw");
    expect(opened.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
    expect(opened.hostKey).toBe(sshd.hostPublicKey.split(" ").slice(0, 2).join(" "));

    const data = await edge.nextDataConnection("ses_pw");
    expect(await data.waitForControl("ready")).toEqual({ t: "ready" });
    const marker = randomBytes(4).toString("hex");
    data.type(`echo hi-${marker}-$((40+2))\r`);
    await data.waitForOutput(`hi-${marker}-42`);

    data.sendControl({ t: "resize", cols: 123, rows: 45 });
    data.type("stty size\r");
    await data.waitForOutput(/[\r\n]45 123\r\n/);

    data.sendControl({ t: "close", reason: "viewer left" });
    expect(await data.waitForControl("exit")).toEqual({ t: "exit", code: null, signal: null });
    expect((await data.waitForClose()).code).toBe(1000);
    const closed = await link.waitForFrame("session.closed", (f) => f.sessionId === "ses_pw");
    expect(closed.reason).toBe("closed by edge: viewer left");
  });

  it("integrates bash: OSC 133 marks with exit codes, snippet never forwarded (key auth, pinned host key)", async () => {
    edge.openSession(
      link,
      "ses_si",
      target({ auth: { type: "key", privateKey: sshd.privateKey }, hostKey: sshd.hostPublicKey }),
      { shellIntegration: true, markKey: MARK_KEY },
    );
    const data = await edge.nextDataConnection("ses_si");
    data.guardKey = MARK_KEY;
    await data.waitForOutput(`\u001b]133;A;k=${MARK_KEY}\u0007`);
    data.type("false\r");
    await data.waitForOutput(`\u001b]133;D;1;k=${MARK_KEY}\u0007`);
    data.type("true\r");
    await data.waitForOutput(`\u001b]133;D;0;k=${MARK_KEY}\u0007`);
    expect(data.output).not.toContain("__nostromo");
    expect(JSON.stringify(agent.logs())).not.toContain(MARK_KEY);
    expect(data.output).not.toContain("133;B'*");

    link.send({ t: "session.close", sessionId: "ses_si", reason: "admin kill" });
    await data.waitForControl("exit");
    const closed = await link.waitForFrame("session.closed", (f) => f.sessionId === "ses_si");
    expect(closed.reason).toBe("closed by edge: admin kill");
  });

  it("buffers output while the data socket is down and delivers it on the next socket", async () => {
    edge.openSession(link, "ses_re", target());
    const first = await edge.nextDataConnection("ses_re");
    await first.waitForControl("ready");
    await first.waitForOutput("$ ");
    first.type("sleep 0.5; for i in 1 2 3; do echo back-$((i*11)); done\r");
    await first.waitForOutput("sleep 0.5");
    // The edge drops the socket and refuses reconnects (503) until well after the output was made.
    edge.dataUnavailable.add("ses_re");
    first.ws.terminate();
    await new Promise((r) => setTimeout(r, 1500));
    expect(edge.dataConnections.filter((d) => d.sessionId === "ses_re")).toHaveLength(1);
    edge.dataUnavailable.delete("ses_re");

    const second = await edge.nextDataConnection("ses_re", 1);
    expect(await second.waitForControl("ready")).toEqual({ t: "ready", resumed: true });
    await second.waitForOutput(/back-11\r\nback-22\r\nback-33\r\n/);
    expect(first.output).not.toContain("back-11");
    expect(agent.logs().some((l) => l.msg === "data.disconnected" && l.status === 503)).toBe(true);
    second.type("exit\r");
    expect(await second.waitForControl("exit")).toEqual({ t: "exit", code: 0, signal: null });
    const closed = await link.waitForFrame("session.closed", (f) => f.sessionId === "ses_re");
    expect(closed).toMatchObject({ reason: "exit", exitCode: 0 });
  });

  it("refuses a changed host key with HOST_KEY_CHANGED and the presented fingerprint", async () => {
    edge.openSession(link, "ses_hk", target({ hostKey: OTHER_HOST_KEY }));
    const failed = await link.waitForFrame("session.failed", (f) => f.sessionId === "ses_hk");
    expect(failed).toMatchObject({ code: "HOST_KEY_CHANGED", hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(edge.dataConnections.some((d) => d.sessionId === "ses_hk")).toBe(false);
  });

  it("reports a wrong password as AUTH_FAILED and never logs a secret", async () => {
    const wrong = `Wrong-${randomBytes(6).toString("hex")}`;
    edge.openSession(link, "ses_auth", target({ auth: { type: "password", password: wrong } }));
    const failed = await link.waitForFrame("session.failed", (f) => f.sessionId === "ses_auth");
    expect(failed.code).toBe("AUTH_FAILED");
    expect(JSON.stringify(failed)).not.toContain(wrong);
    const output = agent.stdout() + agent.stderr();
    for (const secret of [wrong, sshd.password, ENROLL_TOKEN, edge.dataTokens.get("ses_pw") ?? "?"]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain("PRIVATE KEY");
  });

  it("runs exec requests and returns exit codes 0, 1 and 127", async () => {
    const commands: Array<[string, string]> = [
      ["req_0", "echo ok"],
      ["req_1", "false"],
      ["req_127", "no-such-command-xyz 2>/dev/null"],
    ];
    for (const [requestId, command] of commands) {
      link.send({
        t: "exec.request",
        requestId,
        target: target(),
        command,
        timeoutMs: 10_000,
        maxOutputBytes: 1024,
      });
    }
    const results = await Promise.all(
      commands.map(([id]) => link.waitForFrame("exec.result", (f) => f.requestId === id)),
    );
    expect(results.map((r) => [r.exitCode, r.output])).toEqual([
      [0, "ok\n"],
      [1, ""],
      [127, ""],
    ]);
  });

  it("reconnects by itself after the edge goes away and comes back", async () => {
    const port = edge.port;
    const linksBefore = edge.links.length;
    await edge.stop();
    await new Promise((r) => setTimeout(r, 700));
    const previous = edge;
    edge = await StandInEdge.start({ state, port });
    edge.dataTokens.clear();
    for (const [k, v] of previous.dataTokens) edge.dataTokens.set(k, v);
    expect(linksBefore).toBeGreaterThan(0);
    link = await edge.nextLink(0, 20_000);
    await link.waitForFrame("hello");
    const disconnects = agent.logs().filter((l) => l.msg === "link.disconnected");
    expect(disconnects.length).toBeGreaterThan(0);
    expect(disconnects.every((l) => l.level !== "error")).toBe(true);
  }, 30_000);

  it("exits 0 on SIGTERM after closing its SSH connections", async () => {
    edge.openSession(link, "ses_term", target());
    const data = await edge.nextDataConnection("ses_term");
    await data.waitForControl("ready");
    await data.waitForOutput("$ ");
    const disconnectsBefore = sshd.logs().split("Disconnected from user").length;
    agent.child.kill("SIGTERM");
    expect(await exitCodeOf(agent)).toBe(0);
    expect(await data.waitForControl("exit")).toMatchObject({ t: "exit" });
    const closed = await link.waitForFrame("session.closed", (f) => f.sessionId === "ses_term");
    expect(closed.reason).toBe("agent shutdown");
    await waitUntil(
      () => sshd.logs().split("Disconnected from user").length > disconnectsBefore,
      5000,
      "sshd disconnect",
    );
    expect(agent.logs().some((l) => l.msg === "agent.stopped")).toBe(true);
  });

  it("reuses its credential without the token, retries slowly when refused, and exits 3 when revoked", async () => {
    state.revoked.add("agt_1");
    const refused = spawnAgent({ NOSTROMO_URL: edge.url, NOSTROMO_STATE_DIR: stateDir });
    const unauthorized = await waitUntil(
      () => refused.logs().find((l) => l.msg === "link.unauthorized"),
      15_000,
      "link.unauthorized",
    );
    expect(unauthorized.level).toBe("error");
    expect(unauthorized.retryInMs).toBeGreaterThanOrEqual(15_000);
    expect(unauthorized.retryInMs).toBeLessThanOrEqual(30_000);
    refused.child.kill("SIGTERM");
    expect(await exitCodeOf(refused)).toBe(0);

    state.revoked.delete("agt_1");
    const linksBefore = edge.links.length;
    const again = spawnAgent({ NOSTROMO_URL: edge.url, NOSTROMO_STATE_DIR: stateDir });
    const relinked = await edge.nextLink(linksBefore);
    await relinked.waitForFrame("hello");
    expect(state.enrollRequests).toHaveLength(1);
    relinked.send({ t: "revoked", reason: "agent disabled by operator" });
    expect(await exitCodeOf(again)).toBe(3);
    expect(again.logs().find((l) => l.msg === "agent.revoked")).toMatchObject({ level: "error" });
  }, 30_000);

  it("exits 2 with the server's error when enrolment is refused, without retrying", async () => {
    const fresh = spawnAgent({
      NOSTROMO_URL: edge.url,
      NOSTROMO_ENROLL_TOKEN: ENROLL_TOKEN, // already used
      NOSTROMO_STATE_DIR: path.join(root, "fresh"),
    });
    expect(await exitCodeOf(fresh)).toBe(2);
    expect(fresh.stderr()).toMatch(
      /enrolment refused \(HTTP 409 ENROLL_TOKEN_USED\): this enrolment token was already used/,
    );
    expect(state.enrollRequests).toHaveLength(2);
  });

  it("exits 2 with a readable message when the configuration is invalid", async () => {
    const bad = spawnAgent({ NOSTROMO_URL: "not a url", NOSTROMO_STATE_DIR: path.join(root, "bad") });
    expect(await exitCodeOf(bad)).toBe(2);
    expect(bad.stderr()).toContain("NOSTROMO_URL must be an http:// or https:// URL");
  });
});
