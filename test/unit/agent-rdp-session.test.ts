// The agent's RDP session (containers/agent/src/rdp.ts) between a stand-in of the edge's data socket (a
// `ws` server checking the bearer token) and a stand-in RDP server that answers the X.224 request, does TLS
// and echoes: the request's destination is ignored, bytes the client sends before the response reach the
// server once TLS is up, server bytes come back, a client that does not start with RDCleanPath gets an
// RDCleanPath error, and `close` from the edge ends the session with `session.closed`.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AgentFrame } from "@nostromo/protocol";
import { x224ConnectionRequest } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { createLogger } from "../../containers/agent/src/log";
import { decodeResponse, encodeRequest } from "../../containers/agent/src/rdcleanpath";
import { RdpSession } from "../../containers/agent/src/rdp";

// X.224 connection confirm with RDP_NEG_RSP selecting PROTOCOL_SSL.
const CONFIRM = Buffer.from("030000130ed000001234000201080001000000", "hex");
let dir: string;
let rdpServer: net.Server;
let rdpPort: number;
let edge: WebSocketServer;
let edgePort: number;
// Each data socket with the frames it received, recorded from the moment it connected: the agent sends
// `ready` as soon as the socket opens, before a test could attach a listener of its own.
const dataSockets: { ws: WebSocket; frames: { binary: boolean; data: Buffer }[] }[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nostromo-rdp-session-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rdp"].concat([
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ]),
    { stdio: "ignore" },
  );
  const context = tls.createSecureContext({
    key: fs.readFileSync(path.join(dir, "key.pem")),
    cert: fs.readFileSync(path.join(dir, "cert.pem")),
  });
  rdpServer = net.createServer((socket) => {
    socket.once("data", () => {
      socket.write(CONFIRM);
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
      secure.on("data", (d: Buffer) => secure.write(Buffer.concat([Buffer.from("echo:"), d])));
      secure.on("error", () => {});
    });
  });
  await new Promise<void>((r) => rdpServer.listen(0, "127.0.0.1", r));
  rdpPort = (rdpServer.address() as net.AddressInfo).port;
  edge = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  edge.on("connection", (ws, req) => {
    if (req.headers.authorization !== "Bearer data-token") return ws.close(1008);
    const frames: { binary: boolean; data: Buffer }[] = [];
    ws.on("message", (data: Buffer, binary) => frames.push({ binary, data }));
    dataSockets.push({ ws, frames });
  });
  await new Promise<void>((r) => edge.once("listening", r));
  edgePort = (edge.address() as net.AddressInfo).port;
});

afterAll(async () => {
  edge?.close();
  rdpServer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens a session and hands back its data socket (the edge's side) and the control frames it sent. */
async function open() {
  const control: AgentFrame[] = [];
  const before = dataSockets.length;
  const session = new RdpSession(
    {
      t: "rdp.open",
      sessionId: "0b9c2f8e-8a43-4df4-9d67-6a3e7c5d2e10",
      dataUrl: "/api/remote-sessions/x/agent",
      dataToken: "data-token",
      host: "127.0.0.1",
      port: rdpPort,
    },
    {
      baseUrl: `http://127.0.0.1:${edgePort}`,
      log: createLogger({ level: "error", write: () => {} }),
      sendControl: (f) => control.push(f),
      onEnded: () => {},
    },
  );
  session.start();
  const { ws, frames } = await until(() => dataSockets[before]);
  return { session, ws, frames, control };
}

async function until<T>(f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out");
}

describe("the agent's RDP session", () => {
  it("proxies to its own target, keeps early bytes for the server, relays both ways, ends on close", async () => {
    const { ws, frames, control } = await open();
    await until(() => frames.find((f) => !f.binary && f.data.toString() === '{"t":"ready"}'));
    const request = encodeRequest({
      destination: "203.0.113.9:3389",
      proxyAuth: "x",
      x224: x224ConnectionRequest(1),
    });
    ws.send(Buffer.concat([request, Buffer.from("early")]));
    const first = await until(() => frames.find((f) => f.binary));
    const res = decodeResponse(new Uint8Array(first.data));
    expect(Buffer.from(res?.x224 ?? []).equals(CONFIRM)).toBe(true);
    expect(res?.serverAddr).toBe(`127.0.0.1:${rdpPort}`);
    expect(res?.chain).toHaveLength(1);
    await until(() => frames.find((f) => f.binary && f.data.toString() === "echo:early"));
    ws.send(Buffer.from("later"));
    await until(() => frames.find((f) => f.binary && f.data.toString() === "echo:later"));
    ws.send(JSON.stringify({ t: "close", reason: "ended by the owner" }));
    const closed = await until(() => control.find((f) => f.t === "session.closed"));
    expect(closed).toMatchObject({ reason: "closed by edge: ended by the owner" });
  });

  it("answers a client that does not start with RDCleanPath with an RDCleanPath error", async () => {
    const { ws, frames, control } = await open();
    ws.send(Buffer.from(x224ConnectionRequest(1)));
    const first = await until(() => frames.find((f) => f.binary));
    expect(decodeResponse(new Uint8Array(first.data))?.error).toEqual({ errorCode: 1, httpStatusCode: 400 });
    await until(() => control.find((f) => f.t === "session.closed"));
  });
});
