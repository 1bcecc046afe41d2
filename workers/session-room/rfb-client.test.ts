import { describe, expect, it } from "vitest";
import { clientMessage, MAX_CLIPBOARD_BYTES, RfbClient } from "./rfb-client.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...n: number[]) => new Uint8Array(n);

function harness(opts: { mayType?: boolean; clipboard?: boolean } = {}) {
  const rights = { mayType: opts.mayType ?? true, clipboard: opts.clipboard ?? true };
  const toClient: number[][] = [];
  const toServer: number[] = [];
  const dropped: number[] = [];
  let closed: string | null = null;
  const c = new RfbClient(
    {
      toClient: (b) => toClient.push([...b]),
      toServer: (b) => toServer.push(...b),
      close: (r) => {
        closed = r;
      },
      dropped: (_k, type) => dropped.push(type),
    },
    { mayType: () => rights.mayType, clipboard: () => rights.clipboard },
  );
  return { c, toClient, toServer, dropped, rights, closed: () => closed };
}

/** A 3.8 browser through the handshake, the server's stream ready, ClientInit sent. */
function connected(opts: { mayType?: boolean; clipboard?: boolean } = {}) {
  const h = harness(opts);
  h.c.start();
  h.c.push(enc("RFB 003.008\n"));
  h.c.push(bytes(1));
  h.c.ready();
  h.c.push(bytes(0)); // ClientInit, not shared
  h.toServer.length = 0;
  return h;
}

const key = bytes(4, 1, 0, 0, 0, 0, 0, 0x61);
const pointer = bytes(5, 1, 0, 10, 0, 20);
const fbur = bytes(3, 0, 0, 0, 0, 0, 2, 128, 1, 144);
const cut = (text: string) => {
  const t = enc(text);
  const m = new Uint8Array(8 + t.byteLength);
  m[0] = 6;
  new DataView(m.buffer).setUint32(4, t.byteLength);
  m.set(t, 8);
  return m;
};

describe("RfbClient handshake", () => {
  it("offers None, answers SecurityResult only once the agent's stream is ready, forces shared", () => {
    const h = harness();
    h.c.start();
    expect(new TextDecoder().decode(new Uint8Array(h.toClient[0] ?? []))).toBe("RFB 003.008\n");
    h.c.push(enc("RFB 003.008\n"));
    expect(h.toClient[1]).toEqual([1, 1]);
    h.c.push(bytes(1));
    expect(h.toClient).toHaveLength(2);
    h.c.ready();
    expect(h.toClient[2]).toEqual([0, 0, 0, 0]);
    h.c.push(bytes(0));
    expect(h.toServer).toEqual([1]);
  });

  it("a refused stream tells a 3.8 browser why and closes", () => {
    const h = harness();
    h.c.start();
    h.c.push(enc("RFB 003.008\n"));
    h.c.push(bytes(1));
    h.c.refused("AUTH_FAILED");
    const failed = h.toClient[2] ?? [];
    expect(failed.slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect(new TextDecoder().decode(new Uint8Array(failed.slice(8)))).toBe("AUTH_FAILED");
    expect(h.closed()).toBe("AUTH_FAILED");
  });

  it("a 3.3 browser gets the security type as a u32 and its ClientInit waits for the server", () => {
    const h = harness();
    h.c.start();
    h.c.push(enc("RFB 003.003\n"));
    expect(h.toClient[1]).toEqual([0, 0, 0, 1]);
    h.c.push(bytes(0, ...fbur));
    expect(h.toServer).toEqual([]);
    h.c.ready();
    expect(h.toServer).toEqual([1, ...fbur]);
  });

  it("garbage instead of a version, or another security type, closes", () => {
    const a = harness();
    a.c.push(enc("GET / HTTP/1.1\r\n"));
    expect(a.closed()).toMatch(/RFB/);
    const b = harness();
    b.c.push(enc("RFB 003.008\n"));
    b.c.push(bytes(2));
    expect(b.closed()).toMatch(/security type/);
  });
});

describe("RfbClient messages", () => {
  it("forwards setup and input from a typist, split and coalesced anyhow", () => {
    const h = connected();
    const all = new Uint8Array([...fbur, ...key, ...pointer, ...cut("hi")]);
    for (const piece of [all.slice(0, 3), all.slice(3, 11), all.slice(11, 12), all.slice(12)])
      h.c.push(piece);
    expect(h.toServer).toEqual([...all]);
    expect(h.dropped).toEqual([]);
  });

  it("drops KeyEvent, PointerEvent and ClientCutText from someone who may not type, keeps the rest", () => {
    const h = connected({ mayType: false });
    h.c.push(new Uint8Array([...key, ...fbur, ...pointer, ...cut("secret"), ...fbur]));
    expect(h.toServer).toEqual([...fbur, ...fbur]);
    expect(h.dropped).toEqual([4, 5, 6]);
    h.rights.mayType = true;
    h.c.push(key);
    expect(h.toServer).toEqual([...fbur, ...fbur, ...key]);
  });

  it("drops clipboard text when clipboard transfer is off, even from the owner", () => {
    const h = connected({ clipboard: false });
    h.c.push(new Uint8Array([...cut("x"), ...key]));
    expect(h.toServer).toEqual([...key]);
    expect(h.dropped).toEqual([6]);
  });

  it("asks the server only for encodings the room can walk, and for no Extended Clipboard when it is off", () => {
    // Tight, H.264, Raw, Extended Clipboard, Cursor
    const list = [7, 50, 0, 0xc0a1e5ce | 0, -239];
    const setEncodings = new Uint8Array(4 + 4 * list.length);
    const dv = new DataView(setEncodings.buffer);
    dv.setUint8(0, 2);
    dv.setUint16(2, list.length);
    for (const [i, e] of list.entries()) dv.setInt32(4 + 4 * i, e);
    const asked = (clipboard: boolean) => {
      const h = connected({ clipboard });
      h.c.push(setEncodings);
      const out = new DataView(new Uint8Array(h.toServer).buffer);
      return Array.from({ length: out.getUint16(2) }, (_, i) => out.getInt32(4 + 4 * i));
    };
    expect(asked(true)).toEqual([7, 0, 0xc0a1e5ce | 0, -239]);
    expect(asked(false)).toEqual([7, 0, -239]);
  });

  it("closes the stream on an unknown message type, and forwards nothing after it", () => {
    const h = connected();
    h.c.push(new Uint8Array([7, 0, 0, 0, ...key]));
    expect(h.closed()).toBe("unknown RFB message type 7");
    h.c.push(key);
    expect(h.toServer).toEqual([]);
  });

  it("reads the Extended Clipboard form (negative length) and drops it for a viewer", () => {
    const caps = bytes(6, 0, 0, 0, 255, 255, 255, 248, 31, 0, 0, 1, 0, 0, 0, 0);
    const viewer = connected({ mayType: false });
    viewer.c.push(new Uint8Array([...caps, ...fbur]));
    expect(viewer.closed()).toBeNull();
    expect(viewer.toServer).toEqual([...fbur]);
    const owner = connected();
    owner.c.push(caps);
    expect(owner.toServer).toEqual([...caps]);
  });

  it("closes on clipboard text over the limit", () => {
    const h = connected();
    const m = bytes(6, 0, 0, 0, 0, 0, 0, 0);
    new DataView(m.buffer).setUint32(4, MAX_CLIPBOARD_BYTES + 1);
    h.c.push(m);
    expect(h.closed()).toMatch(/clipboard text over/);
  });
});

describe("clientMessage lengths", () => {
  it("knows each message's length once its header is in", () => {
    expect(clientMessage(bytes(0))).toEqual({ length: 20, kind: "setup", type: 0 });
    expect(clientMessage(bytes(2, 0, 0))).toBeNull();
    expect(clientMessage(bytes(2, 0, 0, 3))).toEqual({ length: 16, kind: "setup", type: 2 });
    expect(clientMessage(bytes(248, 0, 0, 0, 0, 0, 0, 0, 5))).toEqual({
      length: 14,
      kind: "setup",
      type: 248,
    });
    expect(clientMessage(bytes(251, 0, 0, 0, 0, 0, 2))).toEqual({ length: 40, kind: "input", type: 251 });
    expect(clientMessage(bytes(255, 0))).toEqual({ length: 12, kind: "input", type: 255 });
    expect(clientMessage(bytes(255, 1))).toEqual({ error: "unknown QEMU message 1" });
  });
});
