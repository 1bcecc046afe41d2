// The clients of the tunnel tests: the `nostromo tunnel` bundle run as a user runs it (log in, open a tunnel
// on a free local port and read its JSON description), a round trip through the local port, a digest to
// compare bytes by, and a tunnel socket driven by hand (the garbage cases). Kept apart so
// test/e2e/tunnel.test.ts holds the cases only.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import WebSocket from "ws";
import { type Http, ROOT } from "./harness.ts";

export const BIN = join(ROOT, "apps/cli/bin/nostromo.mjs");

export interface Opened {
  child: ChildProcess;
  info: { id: string; session_id: string; local_port: number; host: string; port: number };
  exited: Promise<number | null>;
}

/** Runs `nostromo tunnel … --local 0 --json` and waits for the tunnel's description on stdout. */
export async function spawnTunnel(
  config: string,
  connection: string,
  children: ChildProcess[],
): Promise<Opened> {
  const child = spawn(process.execPath, [BIN, "tunnel", connection, "--local", "0", "--json"], {
    env: { ...process.env, NOSTROMO_CONFIG: config },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const info = await new Promise<Opened["info"]>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        // not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`tunnel exited ${code}: ${out} ${err}`)));
  });
  return { child, info, exited };
}

export async function cliLogin(
  url: string,
  tenantId: string,
  config: string,
  email: string,
  password: string,
): Promise<void> {
  const child = execFile(
    process.execPath,
    [BIN, "login", url, "--tenant", tenantId, "--email", email, "--password-stdin"],
    { env: { ...process.env, NOSTROMO_CONFIG: config } },
  );
  child.stdin?.end(`${password}\n`);
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`login exited ${code}`))));
  });
}

/** Sends `data` on a fresh connection to the local port and reads back as many bytes. */
export async function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= data.length) {
        socket.end();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after ${got} bytes`)));
    socket.write(data);
  });
}

export const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** The tunnel's socket with the user's cookie (from `origin`, if given, as a browser would say). */
function tunnelSocket(url: string, user: Http, wsUrl: string, origin?: string): WebSocket {
  return new WebSocket(`${url.replace(/^http/, "ws")}${wsUrl}`, {
    headers: { cookie: `sid=${user.cookie}`, "x-tenant-id": user.tenantId ?? "" },
    perMessageDeflate: false,
    ...(origin ? { origin } : {}),
  });
}

/** A tunnel opened by `user` whose socket is driven by hand, as a broken or hostile CLI would. */
export async function handDrivenTunnel(url: string, user: Http, connectionId: string) {
  const r = await user.call<{ id: string; session_id: string; ws_url: string }>("POST", "/api/tunnels", {
    connection_id: connectionId,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  // A page of another site, riding the user's cookie, may not take the tunnel over.
  const foreign = tunnelSocket(url, user, r.body.ws_url, "https://evil.example");
  const refused = await new Promise<number>((resolve) => {
    foreign.once("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
    foreign.once("open", () => resolve(101));
    foreign.once("error", () => resolve(0));
  });
  expect(refused).toBe(403);
  const ws = tunnelSocket(url, user, r.body.ws_url);
  const texts: string[] = [];
  const payloads: Buffer[] = [];
  ws.on("message", (d: Buffer, binary: boolean) => {
    if (binary) payloads.push(d.subarray(4));
    else texts.push(d.toString());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { id: r.body.id, ws, texts, payloads, closed };
}

/** A binary tunnel frame: the stream id (u32 big-endian), then the payload. */
export function chunk(stream: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeUInt32BE(stream, 0);
  payload.copy(b, 4);
  return b;
}
