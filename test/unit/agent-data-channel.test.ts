// The session data socket on its own, against a tiny ws server: ordering, the bounded outage buffer
// (oldest output dropped first), the replay after a reconnect (resume), and the three ways it gives up.
import http from "node:http";
import { Secret } from "@nostromo/crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { DataChannel, MAX_FRAME_BYTES } from "../../containers/agent/src/data-channel";
import { createLogger } from "../../containers/agent/src/log";
import { waitUntil } from "../../containers/agent/test/edge-stand-in";

interface Server {
  url: string;
  sockets: WebSocket[];
  received: Array<{ binary: boolean; data: Buffer }>;
  auth: string[];
  /** Status to answer upgrades with instead of accepting; null = accept. */
  refuse: number | null;
  close(): Promise<void>;
}

const servers: Server[] = [];
const channels: DataChannel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function server(): Promise<Server> {
  const wss = new WebSocketServer({ noServer: true });
  const httpServer = http.createServer();
  const state: Server = {
    url: "",
    sockets: [],
    received: [],
    auth: [],
    refuse: null,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
  httpServer.on("upgrade", (req, socket, head) => {
    state.auth.push(req.headers.authorization ?? "");
    if (state.refuse !== null) {
      socket.end(`HTTP/1.1 ${state.refuse} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      state.sockets.push(ws);
      ws.on("message", (data, binary) => state.received.push({ binary, data: data as Buffer }));
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const address = httpServer.address();
  state.url = `ws://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/data`;
  servers.push(state);
  return state;
}

function channel(url: string, overrides: Partial<ConstructorParameters<typeof DataChannel>[0]> = {}) {
  const events = {
    input: [] as string[],
    control: [] as string[],
    gone: [] as string[],
    logs: [] as string[],
  };
  const c = new DataChannel({
    url,
    token: new Secret("dt_secret"),
    log: createLogger({ level: "debug", write: (l) => events.logs.push(l) }),
    onInput: (b) => events.input.push(b.toString()),
    onControl: (f) => events.control.push(f.t),
    onGone: (r) => events.gone.push(r),
    ...overrides,
  });
  channels.push(c);
  return { c, events };
}

const texts = (s: Server) => s.received.filter((r) => !r.binary).map((r) => JSON.parse(r.data.toString()).t);
const bytes = (s: Server) => Buffer.concat(s.received.filter((r) => r.binary).map((r) => r.data)).toString();

describe("DataChannel", () => {
  it("authenticates, says ready, then relays both ways in order", async () => {
    const s = await server();
    const { c, events } = channel(s.url);
    c.sendOutput(Buffer.from("early "));
    c.connect();
    await waitUntil(() => s.sockets[0]);
    c.sendOutput(Buffer.from("late"));
    await waitUntil(() => bytes(s) === "early late");
    expect(texts(s)).toEqual(["ready"]);
    expect(s.auth).toEqual(["Bearer dt_secret"]);
    s.sockets[0]?.send(Buffer.from("ls\r"), { binary: true });
    s.sockets[0]?.send(JSON.stringify({ t: "resize", cols: 90, rows: 20 }));
    s.sockets[0]?.send("garbage");
    await waitUntil(
      () => events.control.length === 1 && events.logs.some((l) => l.includes("data.bad_frame")),
    );
    expect(events.input).toEqual(["ls\r"]);
    expect(events.logs.join("")).not.toContain("dt_secret");
  });

  it("sends the output of one event-loop turn as one frame, in order with control frames", async () => {
    const s = await server();
    const { c } = channel(s.url);
    c.connect();
    await waitUntil(() => texts(s).length === 1);
    c.sendOutput(Buffer.from("a"));
    c.sendOutput(Buffer.from("b"));
    c.sendControl({ t: "exit", code: 0, signal: null });
    c.sendOutput(Buffer.from("c"));
    await waitUntil(() => s.received.length === 4);
    expect(s.received.map((r) => (r.binary ? r.data.toString() : JSON.parse(r.data.toString()).t))).toEqual([
      "ready",
      "ab",
      "exit",
      "c",
    ]);
    // Once a frame's worth is waiting it leaves at once, never bigger than MAX_FRAME_BYTES (the rest is
    // the next frame); what follows starts another.
    const big = Buffer.alloc(MAX_FRAME_BYTES + 10, 0x78);
    c.sendOutput(big.subarray(0, MAX_FRAME_BYTES - 5));
    c.sendOutput(big.subarray(MAX_FRAME_BYTES - 5));
    c.sendOutput(Buffer.from("z"));
    await waitUntil(() => s.received.length === 7);
    expect(s.received.slice(4).map((r) => r.data.length)).toEqual([MAX_FRAME_BYTES, 10, 1]);
  });

  it("keeps at most the buffer limit during an outage, dropping the oldest output", async () => {
    const s = await server();
    const { c, events } = channel(s.url, { bufferLimitBytes: 10 });
    c.connect();
    await waitUntil(() => s.sockets[0]);
    s.refuse = 503;
    s.sockets[0]?.terminate();
    await waitUntil(() => !c.isOpen);
    for (const chunk of ["aaaa", "bbbb", "cccc", "dddd"]) c.sendOutput(Buffer.from(chunk));
    c.sendControl({ t: "exit", code: 0, signal: null });
    s.refuse = null;
    await waitUntil(() => s.sockets[1], 10_000);
    await waitUntil(() => texts(s).length === 3);
    expect(texts(s)).toEqual(["ready", "ready", "exit"]);
    expect(JSON.parse(s.received.filter((r) => !r.binary)[1]?.data.toString() ?? "")).toEqual({
      t: "ready",
      resumed: true,
    });
    expect(bytes(s)).toBe("ccccdddd");
    expect(events.logs.some((l) => l.includes("data.buffer_overflow"))).toBe(true);
    expect(events.logs.some((l) => l.includes('"droppedBytes":8'))).toBe(true);
    expect(events.gone).toEqual([]);
  });

  it("gives up after the reconnect window", async () => {
    const s = await server();
    const { c, events } = channel(s.url, { reconnectWindowMs: 600 });
    c.connect();
    await waitUntil(() => s.sockets[0]);
    s.refuse = 503;
    s.sockets[0]?.terminate();
    await waitUntil(() => events.gone.length > 0, 5000);
    expect(events.gone).toEqual(["data socket lost"]);
  });

  it("treats 401 at upgrade and a normal close by the edge as final", async () => {
    const s = await server();
    s.refuse = 401;
    const refused = channel(s.url);
    refused.c.connect();
    await waitUntil(() => refused.events.gone.length > 0);
    expect(refused.events.gone).toEqual(["data socket refused (HTTP 401)"]);

    s.refuse = null;
    const closed = channel(s.url);
    closed.c.connect();
    const ws = await waitUntil(() => s.sockets[0]);
    ws.close(1000, "bye");
    await waitUntil(() => closed.events.gone.length > 0);
    expect(closed.events.gone).toEqual(["closed by edge"]);
  });

  it("finish() delivers what is queued, closes with 1000 and resolves", async () => {
    const s = await server();
    const { c, events } = channel(s.url);
    c.connect();
    const ws = await waitUntil(() => s.sockets[0]);
    const closedWith = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    c.sendOutput(Buffer.from("bye"));
    c.sendControl({ t: "exit", code: 3, signal: null });
    await c.finish();
    expect(await closedWith).toBe(1000);
    expect(bytes(s)).toBe("bye");
    expect(texts(s)).toEqual(["ready", "exit"]);
    expect(events.gone).toEqual([]);
  });

  it("after a reconnect re-sends what the edge says it never stored (resume), then the queue", async () => {
    const s = await server();
    const { c, events } = channel(s.url);
    c.connect();
    await waitUntil(() => s.sockets[0]);
    c.sendOutput(Buffer.from("0123"));
    await waitUntil(() => bytes(s) === "0123");
    c.sendOutput(Buffer.from("4567"));
    await waitUntil(() => bytes(s) === "01234567");
    // The edge died: it stored only 6 bytes; the agent queues what comes while it is down.
    s.refuse = 503;
    s.sockets[0]?.terminate();
    await waitUntil(() => !c.isOpen);
    c.sendOutput(Buffer.from("89"));
    s.received.length = 0;
    s.refuse = null;
    const ws = await waitUntil(() => s.sockets[1], 10_000);
    await waitUntil(() => texts(s).length === 1);
    expect(bytes(s)).toBe(""); // nothing before the edge said how much it has
    ws.send(JSON.stringify({ t: "resume", offset: 6 }));
    await waitUntil(() => bytes(s) === "6789");
    expect(events.control).toEqual([]);
    expect(events.logs.some((l) => l.includes('"replayedBytes":2'))).toBe(true);
  });

  it("sends anyway when an edge without resume stays silent", async () => {
    const s = await server();
    const { c, events } = channel(s.url);
    c.connect();
    await waitUntil(() => s.sockets[0]);
    s.refuse = 503;
    s.sockets[0]?.terminate();
    await waitUntil(() => !c.isOpen);
    c.sendOutput(Buffer.from("queued"));
    s.refuse = null;
    await waitUntil(() => bytes(s) === "queued", 10_000);
    expect(events.logs.some((l) => l.includes("data.resume_timeout"))).toBe(true);
  });
});
