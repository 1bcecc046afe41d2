// Connection tests (`probe.request`): the agent opens TCP to the connection's host:port and reports whether
// it could, and the first bytes the server sent within GREETING_MS (an SSH banner, a telnet negotiation, an
// RFB version) so the edge can tell the right service is there. Nothing is sent to the server.
import { createConnection } from "node:net";
import type { ProbeRequestFrame, ProbeResultFrame } from "@nostromo/protocol";

const GREETING_MS = 1000;
const GREETING_BYTES = 64;

export function runProbe(req: ProbeRequestFrame): Promise<ProbeResultFrame> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = createConnection({ host: req.host, port: req.port });
    let greeting = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (ok: boolean, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        t: "probe.result",
        requestId: req.requestId,
        ok,
        message: message.slice(0, 4096),
        durationMs: Math.round(performance.now() - started),
        ...(greeting.length > 0 ? { greeting: greeting.subarray(0, GREETING_BYTES).toString("base64") } : {}),
      });
    };
    const target = `${req.host}:${req.port}`;
    timer = setTimeout(() => done(false, `${target}: no answer within ${req.timeoutMs} ms`), req.timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(true, `${target} accepted the connection`), GREETING_MS);
    });
    socket.on("data", (chunk: Buffer) => {
      greeting = Buffer.concat([greeting, chunk]);
      if (greeting.length >= GREETING_BYTES) done(true, `${target} accepted the connection`);
    });
    socket.once("close", () => done(true, `${target} accepted the connection and closed it`));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      done(false, `${target}: ${err.code ?? err.message}`),
    );
  });
}
