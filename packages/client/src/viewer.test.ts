// ViewerSocket on Node 20 with `ws`, against a real WebSocket server standing in for the room: the
// upgrade carries the headers, binary frames are output bytes, text frames are JSON frames (unknown
// types handed on), control frames and keystrokes go out as the room expects, a refused upgrade rejects.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RoomFrame } from "@nostromo/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { ViewerSocket, type WebSocketConstructor } from "./index.ts";

const Ws = WebSocket as unknown as WebSocketConstructor;
let server: http.Server;
let base = "";
const seen: { url: string; headers: http.IncomingHttpHeaders; received: (string | Buffer)[] }[] = [];

beforeAll(async () => {
  server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (req.headers.authorization !== "Bearer good") {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const entry = { url: req.url ?? "", headers: req.headers, received: [] as (string | Buffer)[] };
      seen.push(entry);
      ws.on("message", (data, isBinary) => {
        entry.received.push(isBinary ? Buffer.from(data as Buffer) : String(data));
        if (!isBinary && String(data).includes('"bye"')) ws.close(4001, "bye now");
      });
      ws.send(JSON.stringify({ t: "status", status: "active" }));
      ws.send(JSON.stringify({ t: "from-the-future", x: 1 }));
      ws.send("not json");
      ws.send(Buffer.from("hello\r\n"));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("ViewerSocket (Node, ws)", () => {
  it("carries headers, splits output bytes from JSON frames, sends keystrokes and frames", async () => {
    const frames: RoomFrame[] = [];
    const out: string[] = [];
    const v = await ViewerSocket.open({
      baseUrl: base,
      sessionId: "0b7c5e1e-0000-4000-8000-000000000001",
      tenant: "acme",
      headers: { authorization: "Bearer good" },
      WebSocket: Ws,
      onFrame: (f) => frames.push(f),
      onOutput: (b) => out.push(new TextDecoder().decode(b)),
    });
    const closed = new Promise((r) => v.onClose(r));
    await expect.poll(() => out.join("")).toBe("hello\r\n");
    expect(frames.map((f) => f.t)).toEqual(["status", "from-the-future"]);
    v.type("ls\r");
    v.send({ t: "resize", cols: 100, rows: 30 });
    v.send({ t: "bye" } as unknown as Parameters<typeof v.send>[0]);
    expect(await closed).toEqual({ code: 4001, reason: "bye now" });
    const s = seen.at(-1);
    expect(s?.url).toBe("/api/remote-sessions/0b7c5e1e-0000-4000-8000-000000000001/ws");
    expect(s?.headers["x-tenant-id"]).toBe("acme");
    expect(s?.received[0]).toEqual(Buffer.from("ls\r"));
    expect(JSON.parse(String(s?.received[1]))).toEqual({ t: "resize", cols: 100, rows: 30 });
  });

  it("rejects when the upgrade is refused", async () => {
    await expect(
      ViewerSocket.open({
        baseUrl: base,
        sessionId: "x",
        headers: { authorization: "Bearer bad" },
        WebSocket: Ws,
      }),
    ).rejects.toThrow(/403/);
  });

  it("says what to do when there is no WebSocket constructor (Node 20 without ws)", () => {
    const g = globalThis as { WebSocket?: unknown };
    if (g.WebSocket) return;
    expect(() => ViewerSocket.open({ baseUrl: base, sessionId: "x" })).toThrow(/pass ws's constructor/);
  });
});
