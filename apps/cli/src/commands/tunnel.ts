// tunnel: `nostromo tunnel <connection> --local PORT` opens a TCP tunnel (docs/tunnels.md). A local port
// accepts connections (a database client, a native RDP/VNC viewer…); each travels over the tunnel's one
// WebSocket to the edge, which relays it to the connection's agent, which dials the server. Streams are
// multiplexed with flow control by TunnelMux (packages/protocol). Ctrl-C ends the tunnel (its session);
// when the session is ended elsewhere (DELETE, the Command Center's kill switch) the socket closes and
// every local connection with it. Exit status: 0 after Ctrl-C or an end from elsewhere, 255 when lost.
import { createServer, type Server, type Socket } from "node:net";
import { parseTunnelFrame, type StreamSocket, TunnelMux } from "@nostromo/protocol";
import type { Command } from "commander";
import WebSocket from "ws";
import { clientFor, data, headersFor } from "../api.ts";
import { CliError, EXIT } from "../errors.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { resolveConnection } from "./session.ts";

interface TunnelOptions {
  local: string;
  bind: string;
  remotePort?: string;
}

function port(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError("USAGE", `${what} must be a port number (0-65535)`, 400);
  return n;
}

function socketStream(socket: Socket): StreamSocket {
  return {
    write: (bytes, written) => {
      if (socket.writable) socket.write(bytes, () => written());
    },
    end: () => socket.end(),
    destroy: () => socket.destroy(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}

export function register(program: Command): void {
  program
    .command("tunnel")
    .description("Forward a local TCP port to a connection's server through its agent (Ctrl-C ends it)")
    .argument("<connection>", "connection name or id")
    .requiredOption("--local <port>", "local port to listen on (0 picks a free one)")
    .option("--bind <address>", "local address to listen on", "127.0.0.1")
    .option("--remote-port <port>", "another port of the server, if the connection allows it")
    .action(async (ref: string, o: TunnelOptions, cmd: Command) => {
      const t = targetOf(cmd);
      const json = globals(cmd).json;
      const localPort = port(o.local, "--local");
      const remotePort = o.remotePort === undefined ? undefined : port(o.remotePort, "--remote-port");
      const client = clientFor(t);
      const conn = await resolveConnection(client, ref);
      const tunnel = await data(
        client.POST("/api/tunnels", {
          body: { connection_id: conn.id, ...(remotePort ? { remote_port: remotePort } : {}) },
        }),
      );
      const ws = new WebSocket(`${t.url.replace(/^http/, "ws").replace(/\/$/, "")}${tunnel.ws_url}`, {
        headers: headersFor(t),
        perMessageDeflate: false,
        maxPayload: 1024 * 1024,
      });
      const mux = new TunnelMux({
        binary: (frame) => ws.readyState === WebSocket.OPEN && ws.send(frame, { binary: true }),
        text: (frame) => ws.readyState === WebSocket.OPEN && ws.send(frame),
      });
      let next = 1;
      let server: Server | null = null;
      let interrupted = false;
      const ended = new Promise<{ code: number; reason: string }>((resolve, reject) => {
        ws.once("unexpected-response", (_req, res) =>
          reject(new CliError("REFUSED", `The tunnel socket was refused (HTTP ${res.statusCode})`, 502)),
        );
        ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
        ws.on("error", () => {});
      });
      ws.on("message", (raw, isBinary) => {
        const buffer = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
        if (isBinary) {
          mux.remote(buffer);
          return;
        }
        const parsed = parseTunnelFrame(buffer.toString("utf8"));
        if (parsed.ok && parsed.msg.t !== "tcp.open" && parsed.msg.t !== "tcp.opened")
          mux.control(parsed.msg);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ended.then(() => reject(new CliError("LOST", "The tunnel socket closed at once", 502)), reject);
      });
      server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
        const stream = next++;
        mux.add(stream, socketStream(socket));
        mux.send({ t: "tcp.open", stream });
        socket.on("data", (chunk: Buffer) => mux.local(stream, chunk));
        socket.on("end", () => mux.localEnd(stream));
        socket.on("error", () => {});
        socket.on("close", () => mux.localClosed(stream));
      });
      await new Promise<void>((resolve, reject) => {
        server?.once("error", (err) => reject(new CliError("USAGE", `Cannot listen: ${err.message}`, 400)));
        server?.listen(localPort, o.bind, () => resolve());
      });
      const address = server.address();
      const listening = typeof address === "object" && address ? address.port : localPort;
      if (json) printJson({ ...tunnel, local_address: o.bind, local_port: listening });
      else
        process.stderr.write(
          `Forwarding ${o.bind}:${listening} → ${tunnel.host}:${tunnel.port} (${tunnel.session_id}); Ctrl-C ends it\n`,
        );
      const stop = () => {
        interrupted = true;
        ws.close(1000, "closed by the user");
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const end = await ended;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      mux.closeAll();
      server.close();
      if (!json) process.stderr.write(`Tunnel ${tunnel.session_id} closed: ${end.reason || end.code}\n`);
      process.exitCode = interrupted || end.code === 1000 || end.code === 4001 ? EXIT.OK : EXIT.SESSION;
    });
}
