// The hand-driven "evil agent" of the agent-abuse end-to-end test and the probes it uses: an agent enrolled
// like any other that then speaks the real signed link protocol with whatever frames the test chooses, a
// data-socket opener, a timed GET and its latency summary. Kept out of the test file so the test reads as
// the attack scenarios only; everything here is parameterised by the stack's port, never global state.
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import { AGENT_LINK_HEADERS, agentLinkSigningString } from "@nostromo/protocol";
import { expect } from "vitest";
import WebSocket from "ws";
import { Http, waitFor } from "./harness.ts";

export const ATTACKER_KEY = `ssh-ed25519 ${Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from("ssh-ed25519"),
  Buffer.from([0, 0, 0, 32]),
  randomBytes(32),
]).toString("base64")}`;
export const ATTACKER_FP = `SHA256:${randomBytes(32).toString("base64").replace(/=+$/, "")}`;

export type Closed = { code: number; reason: string };

/** An agent of tenant A that speaks the real protocol but does whatever the test says. */
export class EvilAgent {
  ws: WebSocket | null = null;
  closed: Closed | null = null;
  readonly received: { t: string; [k: string]: unknown }[] = [];
  private constructor(
    readonly agentId: string,
    private readonly key: KeyObject,
    private readonly port: number,
  ) {}

  static async enroll(admin: Http, name: string, port: number): Promise<EvilAgent> {
    const tok = await admin.call<{ token: string }>("POST", "/api/agents/enrollment-tokens", {});
    expect(tok.status).toBe(201);
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const r = await new Http(admin.base).call<{ agentId: string }>("POST", "/api/agents/enroll", {
      token: tok.body.token,
      publicKey: raw.toString("base64"),
      hostname: name,
      version: "0.0.0-evil",
      os: "linux",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return new EvilAgent(r.body.agentId, privateKey, port);
  }

  headers(): Record<string, string> {
    const nonce = randomBytes(16).toString("base64url");
    const ts = String(Date.now());
    const sig = sign(null, Buffer.from(agentLinkSigningString(this.agentId, ts, nonce)), this.key);
    return {
      [AGENT_LINK_HEADERS.agentId]: this.agentId,
      [AGENT_LINK_HEADERS.timestamp]: ts,
      [AGENT_LINK_HEADERS.nonce]: nonce,
      [AGENT_LINK_HEADERS.signature]: sig.toString("base64url"),
    };
  }

  /** Opens the control link and says hello; the upgrade status (101 when accepted). */
  connect(): Promise<number> {
    this.closed = null;
    return new Promise((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.port}/api/agents/link`, {
        headers: this.headers(),
        maxPayload: 64 * 1024 * 1024,
      });
      ws.once("open", () => {
        this.ws = ws;
        ws.on("message", (d) => this.received.push(JSON.parse(String(d))));
        ws.on("close", (code, reason) => {
          this.closed = { code, reason: String(reason) };
        });
        this.send({
          t: "hello",
          version: "0.0.0-evil",
          hostname: "evil",
          os: "linux",
          platform: "linux",
          arch: "x64",
          uptimeSec: 1,
          sessions: [],
        });
        res(101);
      });
      ws.once("unexpected-response", (_q, r) => res(r.statusCode ?? 0));
      ws.once("error", () => res(0));
    });
  }

  send(frame: Record<string, unknown> | string | Buffer): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(typeof frame === "string" || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  async waitClosed(timeoutMs = 20_000): Promise<Closed> {
    return waitFor("the evil link closed", async () => this.closed, timeoutMs);
  }
}

/** Opens a data socket as an agent would; the upgrade status and the socket. */
export function dataSocket(
  port: number,
  path: string,
  token: string,
): Promise<{ status: number; ws: WebSocket | null }> {
  return new Promise((res) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.once("open", () => res({ status: 101, ws }));
    ws.once("unexpected-response", (_q, r) => res({ status: r.statusCode ?? 0, ws: null }));
    ws.once("error", () => res({ status: 0, ws: null }));
  });
}

/** One timed GET (bounded at 15 s: a hang is a failure, not a wait). */
export async function timedGet(http: Http, path: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${http.base}${path}`, {
      headers: { "x-tenant-id": http.tenantId ?? "", cookie: `sid=${http.cookie}` },
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: performance.now() - t0, status: 0 };
  }
}

export function summary(samples: { ms: number }[]): string {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]?.toFixed(1);
  return `n=${ms.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${ms[ms.length - 1]?.toFixed(1)} ms`;
}

/** Whether the tenant's real (not hand-driven) agent is online. */
export async function realAgentOnline(http: Http): Promise<boolean> {
  const r = await http.call<{ data: { online: boolean; version: string }[] }>("GET", "/api/agents");
  return r.body.data.some((a) => a.online && a.version !== "0.0.0-evil");
}

/** Makes the edge open a session of tenant A on the evil agent, which answers like a real one. */
export async function openOwnSession(
  adminA: Http,
  evil: EvilAgent,
  port: number,
): Promise<{ id: string; token: string; data: WebSocket }> {
  const conn = await adminA.call<{ id: string }>("POST", "/api/connections", {
    name: `evil target ${randomUUID().slice(0, 8)}`,
    hostname: "127.0.0.1",
    port: 22,
    username: "nobody",
    auth_method: "password",
    password: "irrelevant",
    agent_id: evil.agentId,
  });
  expect(conn.status, JSON.stringify(conn.body)).toBe(201);
  const started = adminA.call<{ id: string; status: string }>("POST", "/api/remote-sessions", {
    connection_id: conn.body.id,
    cols: 80,
    rows: 24,
  });
  const open = await waitFor("session.open sent to the evil agent", async () =>
    evil.received.find((f) => f.t === "session.open"),
  );
  const id = open.sessionId as string;
  const token = open.dataToken as string;
  evil.send({ t: "session.opened", sessionId: id, hostKey: ATTACKER_KEY, hostKeyFingerprint: ATTACKER_FP });
  const { status, ws } = await dataSocket(port, open.dataUrl as string, token);
  expect(status).toBe(101);
  ws?.send(JSON.stringify({ t: "ready" }));
  const r = await started;
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id, token, data: ws as WebSocket };
}
