// The agent's RDCleanPath proxy, server half, against a real xrdp: the client's X.224 request goes through,
// the server's confirm comes back, TLS is up with the server's own certificate as the chain handed to the
// client; a closed port and a server that picks standard RDP security (no TLS) are the RDCleanPath errors the
// browser client shows.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { startXrdp, type Xrdp, x224ConnectionRequest } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRdpServer } from "../../containers/agent/src/rdp-connect";

let xrdp: Xrdp;
beforeAll(async () => {
  xrdp = await startXrdp();
}, 30_000);
afterAll(async () => {
  await xrdp?.stop();
});

describe("RDCleanPath proxy → xrdp", () => {
  it("forwards the X.224 request, reads the confirm, and hands over TLS with the server's chain", async () => {
    const r = await connectRdpServer(xrdp.host, xrdp.port, x224ConnectionRequest(1));
    if (!r.ok) throw new Error(r.message);
    try {
      // TPKT, X.224 CC (0xd0), RDP_NEG_RSP (type 2) selecting PROTOCOL_SSL (1)
      expect(r.confirm[0]).toBe(3);
      expect(r.confirm[5]).toBe(0xd0);
      expect(r.confirm[11]).toBe(0x02);
      expect(r.confirm[15]).toBe(1);
      const pem = fs.readFileSync(path.join(xrdp.dir, "cert.pem"), "utf8");
      const expected = new crypto.X509Certificate(pem).raw;
      expect(Buffer.from(r.chain[0] as Uint8Array).equals(expected)).toBe(true);
      expect(r.serverAddr).toBe(`127.0.0.1:${xrdp.port}`);
      expect(r.tls.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    } finally {
      r.tls.destroy();
    }
  });

  it("answers a closed port with WSA 10061 (connection refused)", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await connectRdpServer("127.0.0.1", port, x224ConnectionRequest(1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ errorCode: 1, wsaLastError: 10061 });
  });

  it("refuses a server that picks standard RDP security (no TLS) instead of failing in TLS", async () => {
    // PROTOCOL_HYBRID (2) alone: xrdp 0.9 has no CredSSP and falls back to standard RDP security.
    const r = await connectRdpServer(xrdp.host, xrdp.port, x224ConnectionRequest(2));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toEqual({ errorCode: 1, httpStatusCode: 502 });
      expect(r.message).toMatch(/standard RDP security/);
    }
  });
});
