// Tunnel frames and the stream mux: codec bounds, frame validation, the credit window (a sender stops
// reading at TUNNEL_WINDOW_BYTES unacknowledged and resumes on acks), half and full closes.
import { describe, expect, it } from "vitest";
import {
  decodeTunnelChunk,
  encodeTunnelChunk,
  MAX_TUNNEL_CHUNK,
  parseAgentTunnelDataFrame,
  parseTunnelFrame,
  TUNNEL_WINDOW_BYTES,
  type TunnelFrame,
} from "./tunnel";
import { type StreamSocket, TunnelMux } from "./tunnel-mux";

describe("tunnel chunks", () => {
  it("round-trips the stream id and payload", () => {
    const frame = encodeTunnelChunk(0xfffffffe, new Uint8Array([1, 2, 3]));
    const chunk = decodeTunnelChunk(frame);
    expect(chunk?.stream).toBe(0xfffffffe);
    expect([...(chunk?.payload ?? [])]).toEqual([1, 2, 3]);
  });

  it("refuses stream 0, empty payloads and payloads over the chunk limit", () => {
    expect(decodeTunnelChunk(encodeTunnelChunk(0, new Uint8Array([1])))).toBeNull();
    expect(decodeTunnelChunk(new Uint8Array([0, 0, 0, 1]))).toBeNull();
    expect(decodeTunnelChunk(encodeTunnelChunk(1, new Uint8Array(MAX_TUNNEL_CHUNK + 1)))).toBeNull();
    expect(decodeTunnelChunk(encodeTunnelChunk(1, new Uint8Array(MAX_TUNNEL_CHUNK)))).not.toBeNull();
  });
});

describe("tunnel frames", () => {
  it("validates stream ids and ack sizes", () => {
    expect(parseTunnelFrame('{"t":"tcp.open","stream":1}').ok).toBe(true);
    expect(parseTunnelFrame('{"t":"tcp.open","stream":0}').ok).toBe(false);
    expect(parseTunnelFrame('{"t":"tcp.open","stream":1.5}').ok).toBe(false);
    expect(parseTunnelFrame(`{"t":"tcp.ack","stream":1,"bytes":${TUNNEL_WINDOW_BYTES + 1}}`).ok).toBe(false);
    expect(parseTunnelFrame(`{"t":"tcp.close","stream":1,"reason":"${"x".repeat(600)}"}`).ok).toBe(false);
  });

  it("an agent's tunnel socket speaks ready, error and the stream frames", () => {
    expect(parseAgentTunnelDataFrame('{"t":"ready"}').ok).toBe(true);
    expect(parseAgentTunnelDataFrame('{"t":"tcp.opened","stream":3}').ok).toBe(true);
    expect(parseAgentTunnelDataFrame('{"t":"exit","code":0,"signal":null}').ok).toBe(false);
  });
});

class FakeSocket implements StreamSocket {
  written: Uint8Array[] = [];
  pending: (() => void)[] = [];
  paused = false;
  ended = false;
  destroyed = false;
  write(data: Uint8Array, written: () => void) {
    this.written.push(data);
    this.pending.push(written);
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

function pair() {
  const sent: { binary: Uint8Array[]; text: TunnelFrame[] } = { binary: [], text: [] };
  const mux = new TunnelMux({
    binary: (f) => sent.binary.push(f),
    text: (f) => sent.text.push(JSON.parse(f)),
  });
  return { mux, sent };
}

describe("TunnelMux", () => {
  it("splits local bytes into bounded chunks and pauses the socket at the window", () => {
    const { mux, sent } = pair();
    const socket = new FakeSocket();
    mux.add(7, socket);
    mux.local(7, new Uint8Array(TUNNEL_WINDOW_BYTES - 1));
    expect(socket.paused).toBe(false);
    mux.local(7, new Uint8Array(MAX_TUNNEL_CHUNK + 1));
    expect(socket.paused).toBe(true);
    expect(sent.binary.every((f) => f.byteLength <= MAX_TUNNEL_CHUNK + 4)).toBe(true);
    const total = sent.binary.reduce((n, f) => n + f.byteLength - 4, 0);
    expect(total).toBe(TUNNEL_WINDOW_BYTES + MAX_TUNNEL_CHUNK);
    mux.control({ t: "tcp.ack", stream: 7, bytes: MAX_TUNNEL_CHUNK });
    expect(socket.paused).toBe(true);
    mux.control({ t: "tcp.ack", stream: 7, bytes: 2 });
    expect(socket.paused).toBe(false);
  });

  it("acknowledges remote bytes only once the local socket has written them", () => {
    const { mux, sent } = pair();
    const socket = new FakeSocket();
    mux.add(1, socket);
    expect(mux.remote(encodeTunnelChunk(1, new Uint8Array(10)))).toBe(true);
    expect(sent.text).toEqual([]);
    socket.pending[0]?.();
    expect(sent.text).toEqual([{ t: "tcp.ack", stream: 1, bytes: 10 }]);
  });

  it("answers bytes for a stream it does not hold with a close", () => {
    const { mux, sent } = pair();
    expect(mux.remote(encodeTunnelChunk(9, new Uint8Array(1)))).toBe(false);
    expect(sent.text).toEqual([{ t: "tcp.close", stream: 9, reason: "no such stream" }]);
  });

  it("half closes on tcp.end, destroys on tcp.close, and reports a local close once", () => {
    const { mux, sent } = pair();
    const socket = new FakeSocket();
    mux.add(2, socket);
    mux.control({ t: "tcp.end", stream: 2 });
    expect(socket.ended).toBe(true);
    mux.localEnd(2);
    mux.localClosed(2, "ECONNRESET");
    mux.localClosed(2);
    expect(sent.text).toEqual([
      { t: "tcp.end", stream: 2 },
      { t: "tcp.close", stream: 2, reason: "ECONNRESET" },
    ]);
    const other = new FakeSocket();
    mux.add(3, other);
    mux.control({ t: "tcp.close", stream: 3 });
    expect(other.destroyed).toBe(true);
    expect(mux.size).toBe(0);
  });
});
