// A stand-in for the edge, in plain Node, implementing the agent-facing contract of packages/protocol:
// enrolment, the signed control-link upgrade (verified with node:crypto against the enrolled key),
// and the per-session data sockets with bearer tokens. Tests drive it; it records what it saw.
import { createPublicKey, verify } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import { decodeBase64 } from "@nostromo/crypto";
import {
  AGENT_ENROLL_PATH,
  AGENT_LINK_PATH,
  type AgentDataFrame,
  type AgentFrame,
  agentLinkSigningBytes,
  type EdgeDataFrame,
  type EdgeFrame,
  type EnrollRequest,
  EnrollRequestSchema,
  encodeEdgeDataFrame,
  encodeEdgeFrame,
  isAgentLinkTimestampFresh,
  parseAgentDataFrame,
  parseAgentFrame,
  readAgentLinkHeaders,
  type SessionOpenFrame,
} from "@nostromo/protocol";
import { type WebSocket, WebSocketServer } from "ws";

/** What survives an edge restart (the real edge keeps it in PostgreSQL). */
export interface EdgeState {
  tokens: Set<string>;
  usedTokens: Set<string>;
  /** agentId → raw Ed25519 public key (base64). */
  agents: Map<string, string>;
  revoked: Set<string>;
  nonces: Set<string>;
  enrollRequests: EnrollRequest[];
  /** Every link upgrade attempt and how it was answered. */
  linkAttempts: Array<{ status: number; reason: string }>;
}

export function newEdgeState(tokens: string[]): EdgeState {
  return {
    tokens: new Set(tokens),
    usedTokens: new Set(),
    agents: new Map(),
    revoked: new Set(),
    nonces: new Set(),
    enrollRequests: [],
    linkAttempts: [],
  };
}

export async function waitUntil<T>(
  probe: () => T | undefined | null | false,
  timeoutMs = 10_000,
  what = "condition",
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class LinkConnection {
  readonly frames: AgentFrame[] = [];
  readonly badFrames: string[] = [];
  closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly agentId: string,
  ) {}

  send(frame: EdgeFrame): void {
    this.ws.send(encodeEdgeFrame(frame));
  }

  waitForFrame<T extends AgentFrame["t"]>(
    t: T,
    match: (f: Extract<AgentFrame, { t: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<AgentFrame, { t: T }>> {
    return waitUntil(
      () =>
        this.frames.find(
          (f): f is Extract<AgentFrame, { t: T }> => f.t === t && match(f as Extract<AgentFrame, { t: T }>),
        ),
      timeoutMs,
      `a ${t} frame`,
    );
  }
}

export class DataConnection {
  readonly control: AgentDataFrame[] = [];
  #output: Buffer[] = [];
  closed: { code: number } | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly sessionId: string,
  ) {}

  get output(): string {
    return Buffer.concat(this.#output).toString("utf8");
  }

  addOutput(chunk: Buffer): void {
    this.#output.push(chunk);
    // As the room's execution guard does for a line it approved: answer each report at once.
    if (this.guardKey === null) return;
    const key = this.guardKey;
    for (const m of chunk.toString("utf8").matchAll(/\]133;E;[ls];(\w+);[^;]*;k=([\w-]+)/g))
      if (m[2] === key) this.type(`#${m[1]}y\n`);
  }

  /** The session's mark key when the stand-in answers the guard's reports (shell integration on). */
  guardKey: string | null = null;

  type(text: string): void {
    this.ws.send(Buffer.from(text, "utf8"), { binary: true });
  }

  sendControl(frame: EdgeDataFrame): void {
    this.ws.send(encodeEdgeDataFrame(frame));
  }

  waitForOutput(pattern: string | RegExp, timeoutMs = 10_000): Promise<true> {
    return waitUntil(
      () => (typeof pattern === "string" ? this.output.includes(pattern) : pattern.test(this.output)),
      timeoutMs,
      `output ${String(pattern)} (got ${JSON.stringify(this.output.slice(-600))})`,
    );
  }

  waitForControl<T extends AgentDataFrame["t"]>(
    t: T,
    timeoutMs = 10_000,
  ): Promise<Extract<AgentDataFrame, { t: T }>> {
    return waitUntil(
      () => this.control.find((f): f is Extract<AgentDataFrame, { t: T }> => f.t === t),
      timeoutMs,
      `a data ${t} frame`,
    );
  }

  waitForClose(timeoutMs = 10_000): Promise<{ code: number }> {
    return waitUntil(() => this.closed, timeoutMs, "the data socket to close");
  }
}

export interface StandInEdgeOptions {
  port?: number;
  state: EdgeState;
  heartbeatIntervalMs?: number;
}

function reject(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class StandInEdge {
  readonly links: LinkConnection[] = [];
  readonly dataConnections: DataConnection[] = [];
  /** sessionId → bearer token the agent must present on the data socket. */
  readonly dataTokens = new Map<string, string>();
  /** Sessions whose data socket upgrades are answered 503, as while a SessionRoom restarts. */
  readonly dataUnavailable = new Set<string>();
  readonly #wss = new WebSocketServer({ noServer: true });
  #server: http.Server;

  private constructor(
    readonly state: EdgeState,
    private readonly heartbeatIntervalMs: number,
  ) {
    this.#server = http.createServer((req, res) => void this.#http(req, res));
    this.#server.on("upgrade", (req, socket, head) => this.#upgrade(req, socket, head));
  }

  static async start(options: StandInEdgeOptions): Promise<StandInEdge> {
    const edge = new StandInEdge(options.state, options.heartbeatIntervalMs ?? 1000);
    await new Promise<void>((resolve, rejectListen) => {
      edge.#server.once("error", rejectListen);
      edge.#server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    return edge;
  }

  get port(): number {
    const address = this.#server.address();
    if (typeof address !== "object" || !address) throw new Error("not listening");
    return address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every socket abruptly (as a crashed edge would) and stops listening. */
  async stop(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  nextLink(after: number, timeoutMs = 15_000): Promise<LinkConnection> {
    return waitUntil(() => this.links[after], timeoutMs, `link #${after + 1}`);
  }

  nextDataConnection(sessionId: string, after = 0, timeoutMs = 15_000): Promise<DataConnection> {
    return waitUntil(
      () => this.dataConnections.filter((d) => d.sessionId === sessionId)[after],
      timeoutMs,
      `data connection #${after + 1} of ${sessionId}`,
    );
  }

  /** Sends session.open on `link` with a fresh data token. */
  openSession(
    link: LinkConnection,
    sessionId: string,
    target: SessionOpenFrame["target"],
    extra: Partial<Pick<SessionOpenFrame, "cols" | "rows" | "shellIntegration" | "markKey">> = {},
  ): void {
    const dataToken = `dt_${sessionId}_${Math.random().toString(36).slice(2)}`;
    this.dataTokens.set(sessionId, dataToken);
    link.send({
      t: "session.open",
      sessionId,
      dataUrl: `/api/remote-sessions/${sessionId}/agent`,
      dataToken,
      target,
      cols: extra.cols ?? 80,
      rows: extra.rows ?? 24,
      term: "xterm-256color",
      shellIntegration: extra.shellIntegration ?? false,
      ...(extra.markKey ? { markKey: extra.markKey } : {}),
    });
  }

  async #http(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== AGENT_ENROLL_PATH) {
      send(404, { error: { code: "NOT_FOUND", message: "no such route" } });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      send(400, { error: { code: "INVALID_JSON", message: "body is not JSON" } });
      return;
    }
    const body = EnrollRequestSchema.safeParse(json);
    if (!body.success) {
      send(400, { error: { code: "VALIDATION_FAILED", message: body.error.message } });
      return;
    }
    this.state.enrollRequests.push(body.data);
    if (this.state.usedTokens.has(body.data.token)) {
      send(409, { error: { code: "ENROLL_TOKEN_USED", message: "this enrolment token was already used" } });
      return;
    }
    if (!this.state.tokens.has(body.data.token)) {
      send(401, { error: { code: "ENROLL_TOKEN_INVALID", message: "unknown or expired enrolment token" } });
      return;
    }
    this.state.usedTokens.add(body.data.token);
    const agentId = `agt_${this.state.agents.size + 1}`;
    this.state.agents.set(agentId, body.data.publicKey);
    send(201, { agentId, tenantId: "ten_test" });
  }

  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://edge");
    if (url.pathname === AGENT_LINK_PATH) {
      this.#upgradeLink(req, socket, head);
      return;
    }
    const data = /^\/api\/remote-sessions\/([^/]+)\/agent$/.exec(url.pathname);
    if (data?.[1]) {
      this.#upgradeData(data[1], req, socket, head);
      return;
    }
    reject(socket, 404, "NOT_FOUND", "no such socket");
  }

  /** The agent id when the signed headers check out, else why not. */
  #authenticateLink(req: http.IncomingMessage): { agentId: string } | { refused: string } {
    const headers = readAgentLinkHeaders((name) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    });
    if (!headers.ok) return { refused: headers.error };
    const { agentId, timestamp, nonce, signature } = headers.msg;
    if (!isAgentLinkTimestampFresh(timestamp, Date.now())) return { refused: "stale timestamp" };
    if (this.state.nonces.has(nonce)) return { refused: "nonce replayed" };
    const publicKey = this.state.agents.get(agentId);
    if (!publicKey) return { refused: "unknown agent" };
    if (this.state.revoked.has(agentId)) return { refused: "agent revoked" };
    const raw = decodeBase64(publicKey);
    const sig = decodeBase64(signature);
    if (!raw || !sig) return { refused: "undecodable key or signature" };
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
      format: "jwk",
    });
    if (!verify(null, agentLinkSigningBytes(agentId, timestamp, nonce), key, sig))
      return { refused: "bad signature" };
    this.state.nonces.add(nonce);
    return { agentId };
  }

  #upgradeLink(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const verdict = this.#authenticateLink(req);
    if ("refused" in verdict) {
      this.state.linkAttempts.push({ status: 401, reason: verdict.refused });
      reject(socket, 401, "AGENT_UNAUTHORIZED", verdict.refused);
      return;
    }
    const { agentId } = verdict;
    this.state.linkAttempts.push({ status: 101, reason: "ok" });

    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const link = new LinkConnection(ws, agentId);
      this.links.push(link);
      ws.on("message", (data, isBinary) => {
        const parsed = isBinary ? null : parseAgentFrame(data.toString());
        if (!parsed?.ok) {
          link.badFrames.push(String(data));
          return;
        }
        link.frames.push(parsed.msg);
        if (parsed.msg.t === "hello") {
          link.send({ t: "hello.ack", agentId, heartbeatIntervalMs: this.heartbeatIntervalMs });
        }
      });
      ws.on("close", () => {
        link.closed = true;
      });
    });
  }

  #upgradeData(sessionId: string, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.dataUnavailable.has(sessionId)) {
      reject(socket, 503, "UNAVAILABLE", "session room restarting");
      return;
    }
    const expected = this.dataTokens.get(sessionId);
    if (!expected || req.headers.authorization !== `Bearer ${expected}`) {
      reject(socket, 401, "DATA_TOKEN_INVALID", "bad data token");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new DataConnection(ws, sessionId);
      this.dataConnections.push(conn);
      ws.on("message", (data, isBinary) => {
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (isBinary) {
          conn.addOutput(buffer);
          return;
        }
        const parsed = parseAgentDataFrame(buffer.toString("utf8"));
        if (parsed.ok) conn.control.push(parsed.msg);
      });
      ws.on("close", (code) => {
        conn.closed = { code };
      });
    });
  }
}
