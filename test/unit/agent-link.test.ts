// The control link on its own against a bare ws server: signed upgrade headers, ordering of hello
// and frames queued during an outage, liveness via ping/pong, and the close-code classification.
import http from "node:http";
import { AGENT_LINK_HEADERS, type EdgeFrame } from "@nostromo/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { generateKeyPair, toIdentity } from "../../containers/agent/src/credentials";
import { ControlLink, isBenignClose, isTransientNetworkError } from "../../containers/agent/src/link";
import { createLogger } from "../../containers/agent/src/log";
import { waitUntil } from "../../containers/agent/test/edge-stand-in";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function edge() {
  // autoPong off: the test decides whether pings are answered.
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const server = http.createServer();
  const sockets: WebSocket[] = [];
  const messages: string[][] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  const control = { answerPings: true, refuse: false };
  server.on("upgrade", (req, socket, head) => {
    headers.push(req.headers);
    if (control.refuse) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const inbox: string[] = [];
      sockets.push(ws);
      messages.push(inbox);
      ws.on("message", (d) => inbox.push(JSON.parse(d.toString()).t));
      ws.on("ping", (data) => {
        if (control.answerPings) ws.pong(data);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  cleanups.push(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    sockets,
    messages,
    headers,
    control,
  };
}

function link(url: string, livenessMs = 60_000) {
  const logs: string[] = [];
  const frames: EdgeFrame[] = [];
  const identity = toIdentity({ agentId: "agt_7", tenantId: "t", url, ...generateKeyPair() });
  const l: ControlLink = new ControlLink({
    baseUrl: url,
    identity,
    log: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    onOpen: () => l.send({ t: "heartbeat", ts: 1 }),
    onFrame: (f) => frames.push(f),
    onClose: () => undefined,
    livenessMs: () => livenessMs,
  });
  cleanups.push(() => l.close());
  l.start();
  return { l, logs, frames };
}

describe("ControlLink", () => {
  it("dials /api/agents/link with the four signed headers and hands over valid frames only", async () => {
    const e = await edge();
    const { frames, logs } = link(e.url);
    const ws = await waitUntil(() => e.sockets[0]);
    expect(e.headers[0]?.[AGENT_LINK_HEADERS.agentId.toLowerCase()]).toBe("agt_7");
    for (const name of Object.values(AGENT_LINK_HEADERS))
      expect(e.headers[0]?.[name.toLowerCase()]).toBeTruthy();
    ws.send("][");
    ws.send(Buffer.from([1, 2]), { binary: true });
    // A newer edge's frame type: ignored quietly, not garbage (protocol evolution).
    ws.send(JSON.stringify({ t: "session.snapshot", sessionId: "ses_1" }));
    ws.send(JSON.stringify({ t: "ping", ts: 5 }));
    await waitUntil(() => frames.length === 1);
    expect(frames).toEqual([{ t: "ping", ts: 5 }]);
    expect(logs.filter((l) => l.includes("link.bad_frame"))).toHaveLength(2);
    expect(logs.filter((l) => l.includes("link.unknown_frame"))).toHaveLength(1);
  });

  it("keeps must-deliver frames during an outage and sends them right after the reconnect's first frame", async () => {
    const e = await edge();
    const { l, logs } = link(e.url);
    const first = await waitUntil(() => e.sockets[0]);
    e.control.refuse = true; // keep the link down while the frames are sent
    first.close(1001, "edge restarting");
    await waitUntil(() => logs.some((x) => x.includes("link.disconnected")));
    l.sendReliable({ t: "session.closed", sessionId: "ses_1", reason: "exit", exitCode: 0 });
    l.sendReliable({ t: "heartbeat", ts: 2 }); // best effort: not kept
    e.control.refuse = false;
    await waitUntil(() => e.messages[1]?.length === 2, 10_000);
    expect(e.messages[1]).toEqual(["heartbeat", "session.closed"]);
    const disconnect = logs.map((x) => JSON.parse(x)).find((x) => x.msg === "link.disconnected");
    expect(disconnect).toMatchObject({ level: "info", code: 1001, reason: "edge restarting" });
  }, 15_000);

  it("drops a connection whose peer stops answering pings, then reconnects", async () => {
    const e = await edge();
    const { logs } = link(e.url, 900);
    await waitUntil(() => e.sockets[0]);
    await new Promise((r) => setTimeout(r, 1300)); // the first ping (after 1 s) was answered
    e.control.answerPings = false;
    await waitUntil(() => logs.some((x) => x.includes("link.stale")), 5000, "link.stale");
    e.control.answerPings = true;
    await waitUntil(() => e.sockets[1], 5000, "a second connection");
  }, 15_000);
});

describe("disconnect classification", () => {
  it("treats edge restarts and network blips as benign", () => {
    expect([1000, 1001, 1006, 1012].every(isBenignClose)).toBe(true);
    expect([1002, 1008, 1011, 4000].some(isBenignClose)).toBe(false);
    expect(isTransientNetworkError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isTransientNetworkError(new Error("certificate has expired"))).toBe(false);
  });
});
