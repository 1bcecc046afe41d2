// The WebSocket-to-TCP relay that @neondatabase/serverless needs to reach a plain PostgreSQL locally
// (Neon's documented local setup: neonConfig.wsProxy). Only loopback targets are relayed: it is not an
// open proxy. Written by hand because it is twenty lines over `ws` and node:net.
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { WebSocketServer } from "ws";

export interface Relay {
  port: number;
  /** Value for the Worker's NEON_WS_PROXY binding. */
  proxy: string;
  close(): Promise<void>;
  /** Connections relayed right now (the soak run watches this stay flat). */
  connections(): number;
  /** Connections relayed since start (the burst bench counts the opens per request). */
  opened(): number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export async function startRelay(port = 0): Promise<Relay> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  await new Promise<void>((res) => wss.once("listening", () => res()));
  let opened = 0;
  wss.on("connection", (ws, req) => {
    opened++;
    const address = new URL(req.url ?? "/", "http://relay").searchParams.get("address") ?? "";
    const sep = address.lastIndexOf(":");
    const host = address.slice(0, sep);
    const targetPort = Number(address.slice(sep + 1));
    if (!LOOPBACK.has(host) || !Number.isInteger(targetPort)) {
      ws.close(1008, "target not allowed");
      return;
    }
    const tcp = connect({ host, port: targetPort });
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    tcp.on("connect", () => {
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    ws.on("message", (data: Buffer) => {
      if (tcp.connecting) pending.push(data);
      else tcp.write(data);
    });
    tcp.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close());
    ws.on("close", () => tcp.destroy());
    ws.on("error", () => tcp.destroy());
  });
  const actual = (wss.address() as AddressInfo).port;
  return {
    port: actual,
    proxy: `127.0.0.1:${actual}`,
    connections: () => wss.clients.size,
    opened: () => opened,
    close: () =>
      new Promise<void>((res) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => res());
      }),
  };
}
