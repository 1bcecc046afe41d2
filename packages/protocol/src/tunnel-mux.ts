// The two ends of a TCP tunnel (the CLI and the agent) run the same stream logic: raw bytes of each local
// TCP connection leave as binary frames of at most MAX_TUNNEL_CHUNK, every frame written to the far
// socket is acknowledged (`tcp.ack`), and a sender stops reading its socket while TUNNEL_WINDOW_BYTES are
// unacknowledged — so a slow reader at either end slows its writer, end to end, with nothing piling up in
// the room between them. Written against a tiny socket interface (no node:*) so both Node ends share it and
// it is unit-tested without a network.
import {
  decodeTunnelChunk,
  encodeTunnelChunk,
  MAX_TUNNEL_CHUNK,
  TUNNEL_WINDOW_BYTES,
  type TunnelFrame,
} from "./tunnel";

/** One local TCP connection as the mux drives it. */
export interface StreamSocket {
  /** `written` runs once the bytes left for the peer (net.Socket's write callback). */
  write(data: Uint8Array, written: () => void): void;
  /** Half close: no more bytes to the peer. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
}

/** The tunnel's WebSocket, seen from one end. */
export interface MuxWire {
  binary(frame: Uint8Array): void;
  text(frame: string): void;
}

interface Stream {
  socket: StreamSocket;
  unacked: number;
  paused: boolean;
}

export class TunnelMux {
  readonly #streams = new Map<number, Stream>();

  constructor(
    private readonly wire: MuxWire,
    private readonly window = TUNNEL_WINDOW_BYTES,
  ) {}

  get size(): number {
    return this.#streams.size;
  }

  has(stream: number): boolean {
    return this.#streams.has(stream);
  }

  add(stream: number, socket: StreamSocket): void {
    this.#streams.set(stream, { socket, unacked: 0, paused: false });
  }

  send(frame: TunnelFrame): void {
    this.wire.text(JSON.stringify(frame));
  }

  /** Bytes read from the local socket of `stream`. */
  local(stream: number, data: Uint8Array): void {
    const s = this.#streams.get(stream);
    if (!s) return;
    for (let off = 0; off < data.byteLength; off += MAX_TUNNEL_CHUNK) {
      const piece = data.subarray(off, off + MAX_TUNNEL_CHUNK);
      this.wire.binary(encodeTunnelChunk(stream, piece));
      s.unacked += piece.byteLength;
    }
    if (!s.paused && s.unacked >= this.window) {
      s.paused = true;
      s.socket.pause();
    }
  }

  /** The local socket sent its FIN. */
  localEnd(stream: number): void {
    if (this.#streams.has(stream)) this.send({ t: "tcp.end", stream });
  }

  /** The local socket is gone (closed, failed, refused): the far end closes its side. */
  localClosed(stream: number, reason?: string): void {
    if (!this.#streams.delete(stream)) return;
    this.send({ t: "tcp.close", stream, ...(reason ? { reason: reason.slice(0, 512) } : {}) });
  }

  /** A binary frame from the wire; false when it is malformed or for a stream this end does not hold (the
   * far end is told to close it). */
  remote(frame: Uint8Array): boolean {
    const chunk = decodeTunnelChunk(frame);
    if (!chunk) return false;
    const s = this.#streams.get(chunk.stream);
    if (!s) {
      this.send({ t: "tcp.close", stream: chunk.stream, reason: "no such stream" });
      return false;
    }
    const bytes = chunk.payload.byteLength;
    s.socket.write(chunk.payload, () => {
      if (this.#streams.get(chunk.stream) === s) this.send({ t: "tcp.ack", stream: chunk.stream, bytes });
    });
    return true;
  }

  /** A stream frame from the wire (ack, end, close); `tcp.open`/`tcp.opened` belong to the end's owner. */
  control(f: TunnelFrame): void {
    const s = this.#streams.get(f.stream);
    if (!s) return;
    if (f.t === "tcp.ack") {
      s.unacked = Math.max(0, s.unacked - f.bytes);
      if (s.paused && s.unacked < this.window) {
        s.paused = false;
        s.socket.resume();
      }
    } else if (f.t === "tcp.end") {
      s.socket.end();
    } else if (f.t === "tcp.close") {
      this.#streams.delete(f.stream);
      s.socket.destroy();
    }
  }

  /** Every stream ends at once (the tunnel is over). */
  closeAll(): void {
    const all = [...this.#streams.values()];
    this.#streams.clear();
    for (const s of all) s.socket.destroy();
  }
}
