// The room part of a TCP tunnel session (docs/tunnels.md): relays stream frames between the CLI's tunnel
// socket and the agent's data socket, and is the only place that decides what each side may say.
// - The CLI opens streams (`tcp.open`, ids strictly increasing, at most MAX_TUNNEL_STREAMS at once); the
//   agent never does. An agent frame about a stream the CLI never opened through this room is refused,
//   audited as a security alert, and past MAX_VIOLATIONS the agent's socket is cut (1008). A frame about
//   a stream that has just closed (in flight while the close crossed) is dropped quietly.
// - Binary frames are bounded (header + MAX_TUNNEL_CHUNK); a bigger one closes that socket with 1009.
// - Flow control is end to end (`tcp.ack` is relayed, never invented here), so the room buffers nothing.
// - Bytes each way, the number of connections and the duration are audited when the tunnel closes.
// Another session kind in the same room (rather than a Durable Object of its own) so that every way to
// end a session — DELETE, the Command Center's kill switch, the idle timeout, the agent's loss — ends a
// tunnel too, through the one lifecycle.
import {
  AGENT_TUNNEL_DATA_FRAME_TYPES,
  decodeTunnelChunk,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_TUNNEL_CHUNK,
  MAX_TUNNEL_STREAMS,
  parseAgentTunnelDataFrame,
  parseTunnelFrame,
  TUNNEL_FRAME_TYPES,
  TUNNEL_HEADER_BYTES,
  type TunnelFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import { OwnerRelay, type OwnerRelayHost, send } from "./owner-relay.ts";

export const MAX_VIOLATIONS = 10;
const MAX_GARBAGE = 50;

export interface TunnelRelayHost extends OwnerRelayHost {
  publicId(): string;
  /** The agent's data socket said `ready`. */
  ready(): void;
  failed(code: string, message: string): void;
  /** Traffic: the idle timeout starts again. */
  touched(): void;
  audit(
    type: "session.ended" | "security.alert",
    description: string,
    status: "success" | "warning" | "failure",
    metadata: Record<string, unknown>,
  ): void;
}

interface Counters {
  bytesUp: number;
  bytesDown: number;
  connections: number;
}

export interface TunnelStats extends Counters {
  /** TCP connections open through the tunnel now. */
  streams: number;
}

export class TunnelRelay extends OwnerRelay<TunnelRelayHost> {
  private readonly live = new Set<number>();
  private highest = 0;
  private violations = 0;
  readonly counters: Counters = { bytesUp: 0, bytesDown: 0, connections: 0 };

  get streams(): number {
    return this.live.size;
  }

  /** The traffic so far, for the live lists (kept in memory: a restarted object starts again from 0). */
  stats(): TunnelStats {
    return { ...this.counters, streams: this.live.size };
  }

  attachAgent(ws: WebSocket): void {
    this.adoptAgent(
      ws,
      { binary: (data) => this.fromAgentBinary(ws, data), text: (text) => this.fromAgentText(ws, text) },
      "The agent closed the tunnel",
    );
  }

  /** The CLI's tunnel socket; a second one replaces the first (whose streams close). */
  attachClient(ws: WebSocket, loginId: string | null): void {
    let garbage = 0;
    this.adoptClient(
      ws,
      loginId,
      {
        binary: (data) => this.fromClientBinary(ws, data),
        text: (text) => {
          const parsed = parseTunnelFrame(text);
          if (parsed.ok) this.fromClient(parsed.msg);
          else if (unknownFrameType(text, TUNNEL_FRAME_TYPES) === null && ++garbage > MAX_GARBAGE)
            ws.close(1008, "too many malformed frames");
        },
      },
      () => {
        this.closeStreams();
        if (!this.closed) this.host.end("The tunnel client disconnected");
      },
    );
  }

  protected audit(reason: string, durationMs: number): void {
    const { bytesUp, bytesDown, connections } = this.counters;
    this.host.audit(
      "session.ended",
      `Tunnel ${this.host.publicId()} closed: ${connections} connection(s), ${bytesUp} bytes up, ${bytesDown} bytes down, ${Math.round(durationMs / 1000)} s (${reason})`,
      "success",
      {
        tunnel: true,
        bytes_up: bytesUp,
        bytes_down: bytesDown,
        connections,
        duration_ms: durationMs,
        reason,
      },
    );
  }

  protected override dropClient(ws: WebSocket, code: number, reason: string): void {
    if (this.client?.ws === ws) this.client = null;
    this.closeStreams();
    super.dropClient(ws, code, reason);
  }

  /** Every live stream is closed towards the agent (the client that held them is gone). */
  private closeStreams(): void {
    for (const stream of this.live) this.toAgent({ t: "tcp.close", stream, reason: "tunnel client gone" });
    this.live.clear();
  }

  private fromClient(f: TunnelFrame): void {
    if (f.t === "tcp.opened") return; // only the agent answers an open
    if (f.t === "tcp.open") {
      const refuse = !this.agent
        ? "the agent is not connected"
        : f.stream <= this.highest
          ? "stream ids must increase"
          : this.live.size >= MAX_TUNNEL_STREAMS
            ? `at most ${MAX_TUNNEL_STREAMS} connections per tunnel`
            : null;
      if (refuse) {
        this.toClient({ t: "tcp.close", stream: f.stream, reason: refuse });
        return;
      }
      this.highest = f.stream;
      this.live.add(f.stream);
      this.counters.connections += 1;
      this.host.touched();
      this.toAgent(f);
      return;
    }
    if (!this.live.has(f.stream)) return;
    if (f.t === "tcp.close") this.live.delete(f.stream);
    this.toAgent(f);
  }

  private fromClientBinary(ws: WebSocket, data: ArrayBuffer): void {
    const chunk = this.chunk(ws, data);
    if (!chunk || !this.live.has(chunk.stream)) return;
    this.counters.bytesUp += chunk.payload.byteLength;
    this.host.touched();
    send(this.agent, data);
  }

  private fromAgentBinary(ws: WebSocket, data: ArrayBuffer): void {
    const chunk = this.chunk(ws, data);
    if (!chunk || !this.fromAgentAbout(ws, chunk.stream, "data")) return;
    this.counters.bytesDown += chunk.payload.byteLength;
    this.host.touched();
    send(this.client?.ws ?? null, data);
  }

  private fromAgentText(ws: WebSocket, text: string): void {
    const parsed = parseAgentTunnelDataFrame(text);
    if (!parsed.ok) {
      if (unknownFrameType(text, AGENT_TUNNEL_DATA_FRAME_TYPES) === null) this.violation(ws, "malformed", 0);
      return;
    }
    const f = parsed.msg;
    if (f.t === "ready") this.host.ready();
    else if (f.t === "error") this.host.failed(f.code, f.message);
    else if (f.t === "tcp.open") this.violation(ws, "tcp.open", f.stream);
    else this.fromAgentStream(ws, f);
  }

  private fromAgentStream(ws: WebSocket, f: Exclude<TunnelFrame, { t: "tcp.open" }>): void {
    if (!this.fromAgentAbout(ws, f.stream, f.t)) return;
    if (f.t === "tcp.close") this.live.delete(f.stream);
    this.toClient(f);
  }

  /** Whether an agent frame about `stream` is forwarded: only for a live stream the client opened. */
  private fromAgentAbout(ws: WebSocket, stream: number, what: string): boolean {
    if (this.live.has(stream)) return true;
    if (stream > this.highest) this.violation(ws, what, stream);
    return false;
  }

  private violation(ws: WebSocket, what: string, stream: number): void {
    this.violations += 1;
    this.host.audit(
      "security.alert",
      `The agent sent ${what} about tunnel stream ${stream} of ${this.host.publicId()}, which the edge never opened; refused`,
      "warning",
      { frame: what, stream, violations: this.violations },
    );
    if (this.violations >= MAX_VIOLATIONS) ws.close(1008, "frames about streams it was not asked to open");
  }

  private chunk(ws: WebSocket, data: ArrayBuffer) {
    if (data.byteLength > TUNNEL_HEADER_BYTES + MAX_TUNNEL_CHUNK) {
      ws.close(FRAME_TOO_BIG_CLOSE_CODE, `frame over ${MAX_TUNNEL_CHUNK} bytes of payload`);
      return null;
    }
    return decodeTunnelChunk(new Uint8Array(data));
  }

  private toAgent(f: TunnelFrame): void {
    send(this.agent, JSON.stringify(f));
  }

  private toClient(f: TunnelFrame): void {
    send(this.client?.ws ?? null, JSON.stringify(f));
  }
}
