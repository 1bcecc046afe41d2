// The room part of a VNC session (docs/live-sessions.md, "VNC sessions"): every browser participant's
// socket carries raw RFB and gets its own stream to the VNC server — the agent opens one TCP connection per
// stream (x11vnc -shared serves several clients), so a late joiner's noVNC receives a full first update
// from the server at once, at its own pixel format and encodings. The agent's data socket speaks the
// tunnel's stream frames (packages/protocol/src/tunnel.ts); only the room opens streams.
// - Each browser's bytes go through an RfbClient (rfb-client.ts): the handshake towards the browser, then
//   message by message, input forwarded only from a participant who may type (the owner; a collaborator
//   once handed control) and clipboard text only while the connection allows clipboard transfer. The
//   server's bytes go through an RfbServerStream (rfb-server.ts), which walks them message by message so
//   that the server's clipboard (ServerCutText) is dropped too when clipboard transfer is off.
// - Server bytes are relayed as they come and acknowledged at once (`tcp.ack`): RFB is pulled — the server
//   sends an update only when a FramebufferUpdateRequest asks for one — so a slow browser slows its own
//   stream without the room holding a window of bytes for it.
// - The recording is of a stream of the room's own (rfb-picture.ts), opened when recording starts (once
//   the agent is ready) and closed when it stops: it does not end when the owner's page reloads or closes,
//   and it replays from its first byte. Its traffic is not activity (the idle timeout ignores it).
// - An agent frame about a stream the room never opened is refused and audited; past MAX_VIOLATIONS the
//   agent's socket is cut (1008), as for tunnels.
import {
  AGENT_TUNNEL_DATA_FRAME_TYPES,
  decodeTunnelChunk,
  encodeTunnelChunk,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_TUNNEL_CHUNK,
  MAX_TUNNEL_STREAMS,
  type ParticipantView,
  parseAgentTunnelDataFrame,
  TUNNEL_HEADER_BYTES,
  type TunnelFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import { KILLED_CLOSE_CODE } from "../live/login-sockets.ts";
import type { ViewerIdentity } from "./participants.ts";
import { RfbClient } from "./rfb-client.ts";
import { RecordedPicture } from "./rfb-picture.ts";
import { RfbServerStream } from "./rfb-server.ts";
import { MAX_VIOLATIONS, type TunnelRelayHost } from "./tunnel-relay.ts";
import { ViewerSocket } from "./viewer-sockets.ts";

export interface VncRelayHost extends TunnelRelayHost {
  /** Clipboard transfer allowed on this session's connection. */
  clipboard(): boolean;
  /** Server bytes of the recorded stream; `first`: the stream's first (ServerInit). */
  picture(bytes: Uint8Array, first: boolean): void;
  /** A whole update was recorded (the recording's frames per second). */
  frame(): void;
}

interface VncViewer {
  who: ViewerIdentity;
  ws: ViewerSocket;
  rfb: RfbClient;
  /** The server's side of the stream, read message by message (ServerCutText dropped when off). */
  server: RfbServerStream;
  stream: number;
  opened: boolean;
}

export class VncRelay {
  private agent: WebSocket | null = null;
  private readonly viewers = new Map<number, VncViewer>();
  private highest = 0;
  private violations = 0;
  private closed = false;
  private agentReady = false;
  /** Recording is on: the picture stream is (or will be, once the agent is ready) open. */
  private recording = false;
  private picture: RecordedPicture | null = null;

  /** RFB bytes to and from the server so far, every stream (the recording's too): the Command Center's. */
  readonly counters = { bytesUp: 0, bytesDown: 0 };

  constructor(private readonly host: VncRelayHost) {}

  get size(): number {
    return this.viewers.size;
  }

  attachAgent(ws: WebSocket): void {
    this.agent?.close(4000, "replaced");
    this.agent = ws;
    ws.binaryType = "arraybuffer";
    ws.accept();
    ws.addEventListener("message", (ev) => {
      if (typeof ev.data === "string") this.fromAgentText(ws, ev.data);
      else this.fromAgentBinary(ws, ev.data as ArrayBuffer);
    });
    const gone = () => {
      if (this.agent !== ws) return;
      this.agent = null;
      if (!this.closed) this.host.end("The agent closed the VNC session", "AGENT_LOST");
    };
    ws.addEventListener("close", gone);
    ws.addEventListener("error", gone);
  }

  /** A browser participant: its own RFB stream, opened once its socket is accepted. */
  attachViewer(ws: WebSocket, who: ViewerIdentity): void {
    const stream = ++this.highest;
    const socket = new ViewerSocket(ws);
    const clipboard = () => this.host.clipboard();
    const server = new RfbServerStream(
      {
        pass: (bytes) => socket.send(bytes),
        failed: (reason) => this.drop(v, 1008, reason),
      },
      clipboard,
    );
    const v: VncViewer = {
      who: { ...who },
      ws: socket,
      stream,
      opened: false,
      server,
      rfb: new RfbClient(
        {
          toClient: (bytes) => socket.send(bytes),
          toServer: (bytes) => this.toAgentBytes(stream, bytes),
          close: (reason) => this.drop(v, 1008, reason),
          pixelFormat: (msg) => server.pixelFormat(msg),
        },
        { mayType: () => v.who.canType, clipboard },
      ),
    };
    this.viewers.set(stream, v);
    socket.open({
      opened: () => {
        const refuse = !who.canSee
          ? "You may not see this session"
          : !this.agent
            ? "The agent is not connected"
            : this.viewers.size > MAX_TUNNEL_STREAMS
              ? "Too many viewers"
              : null;
        if (refuse) {
          this.drop(v, 1008, refuse);
          return;
        }
        v.rfb.start();
        this.toAgent({ t: "tcp.open", stream });
      },
      message: (data) => {
        if (typeof data === "string") {
          this.drop(v, 1003, "RFB is binary");
          return;
        }
        v.rfb.push(new Uint8Array(data));
        this.host.touched();
      },
      closed: () => this.forget(v, "browser left"),
    });
  }

  /** Recording turned on or off: the room's own stream to the server opens (once the agent is ready) or
   * closes with it. */
  record(on: boolean): void {
    this.recording = on;
    if (on) this.openPicture();
    else this.closePicture("recording stopped");
  }

  private openPicture(): void {
    if (this.picture || !this.recording || !this.agentReady || this.closed) return;
    const stream = ++this.highest;
    this.picture = new RecordedPicture(stream, {
      toServer: (bytes) => this.toAgentBytes(stream, bytes),
      picture: (bytes, first) => this.host.picture(bytes, first),
      frame: () => this.host.frame(),
      failed: (reason) => this.closePicture(reason),
    });
    this.toAgent({ t: "tcp.open", stream });
  }

  private closePicture(reason: string): void {
    const p = this.picture;
    if (!p) return;
    this.picture = null;
    p.close();
    this.toAgent({ t: "tcp.close", stream: p.stream, reason: reason.slice(0, 500) });
  }

  /** Hand-over through the API: a participant's typing right, as Participants.update decides it. */
  update(userId: string, change: { role?: "collaborator" | "viewer"; canType?: boolean }): number {
    let n = 0;
    for (const v of this.viewers.values()) {
      if (v.who.userId !== userId || v.who.role === "owner") continue;
      if (change.role) {
        v.who.role = change.role;
        if (change.role === "viewer") v.who.canType = false;
        if (change.role === "collaborator") v.who.canType = true;
      }
      if (change.canType !== undefined) v.who.canType = change.canType;
      if (!v.who.mayType) v.who.canType = false;
      n += 1;
    }
    return n;
  }

  list(): ParticipantView[] {
    const byUser = new Map<string, ParticipantView>();
    for (const { who } of this.viewers.values()) {
      const p = byUser.get(who.userId);
      if (p) p.connections += 1;
      else
        byUser.set(who.userId, {
          userId: who.userId,
          name: who.name,
          role: who.role,
          canType: who.canType,
          mayType: who.mayType,
          canSee: who.canSee,
          canShare: who.canShare,
          connections: 1,
        });
    }
    return [...byUser.values()];
  }

  closeLogin(loginId: string, reason: string): number {
    let n = 0;
    for (const v of [...this.viewers.values()])
      if (v.who.loginId === loginId) {
        this.drop(v, KILLED_CLOSE_CODE, reason);
        n += 1;
      }
    return n;
  }

  /** The session is over: every browser and the agent's socket closed. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closePicture(reason);
    for (const v of [...this.viewers.values()]) this.drop(v, 1000, reason);
    this.agent?.close(1000, "session over");
    this.agent = null;
  }

  private drop(v: VncViewer, code: number, reason: string): void {
    v.ws.close(code, reason.slice(0, 120));
    this.forget(v, reason);
  }

  private forget(v: VncViewer, reason: string): void {
    if (this.viewers.get(v.stream) !== v) return;
    this.viewers.delete(v.stream);
    this.toAgent({ t: "tcp.close", stream: v.stream, reason: reason.slice(0, 500) });
  }

  private fromAgentText(ws: WebSocket, text: string): void {
    const parsed = parseAgentTunnelDataFrame(text);
    if (!parsed.ok) {
      if (unknownFrameType(text, AGENT_TUNNEL_DATA_FRAME_TYPES) === null) this.violation(ws, "malformed", 0);
      return;
    }
    const f = parsed.msg;
    if (f.t === "ready") {
      this.agentReady = true;
      this.host.ready();
      this.openPicture();
      return;
    }
    if (f.t === "error") {
      this.host.failed(f.code, f.message);
      return;
    }
    if (f.t === "tcp.open") {
      this.violation(ws, "tcp.open", f.stream);
      return;
    }
    if (f.stream === this.picture?.stream) {
      // The agent acknowledges what it wrote to the server (tcp.ack): nothing to do.
      if (f.t === "tcp.opened") this.picture.opened();
      else if (f.t === "tcp.close" || f.t === "tcp.end")
        this.closePicture(
          f.t === "tcp.close" && f.reason ? f.reason : "The VNC server closed the connection",
        );
      return;
    }
    const v = this.viewers.get(f.stream);
    if (!v) {
      if (f.stream > this.highest) this.violation(ws, f.t, f.stream);
      return;
    }
    if (f.t === "tcp.opened") {
      v.opened = true;
      v.rfb.ready();
    } else if (f.t === "tcp.close" || f.t === "tcp.end") {
      const why = f.t === "tcp.close" && f.reason ? f.reason : "The VNC server closed the connection";
      if (v.opened) this.drop(v, 1000, why);
      else {
        v.rfb.refused(why);
        this.forget(v, why);
      }
    }
  }

  private fromAgentBinary(ws: WebSocket, data: ArrayBuffer): void {
    if (data.byteLength > TUNNEL_HEADER_BYTES + MAX_TUNNEL_CHUNK) {
      ws.close(FRAME_TOO_BIG_CLOSE_CODE, `frame over ${MAX_TUNNEL_CHUNK} bytes of payload`);
      return;
    }
    const chunk = decodeTunnelChunk(new Uint8Array(data));
    if (!chunk) return;
    this.counters.bytesDown += chunk.payload.byteLength;
    if (chunk.stream === this.picture?.stream) {
      this.picture.push(chunk.payload);
      this.toAgent({ t: "tcp.ack", stream: chunk.stream, bytes: chunk.payload.byteLength });
      return;
    }
    const v = this.viewers.get(chunk.stream);
    if (!v?.opened) {
      if (chunk.stream > this.highest) this.violation(ws, "data", chunk.stream);
      return;
    }
    v.server.push(chunk.payload);
    this.toAgent({ t: "tcp.ack", stream: chunk.stream, bytes: chunk.payload.byteLength });
    this.host.touched();
  }

  private toAgentBytes(stream: number, bytes: Uint8Array): void {
    this.counters.bytesUp += bytes.byteLength;
    for (let off = 0; off < bytes.byteLength; off += MAX_TUNNEL_CHUNK)
      send(this.agent, encodeTunnelChunk(stream, bytes.subarray(off, off + MAX_TUNNEL_CHUNK)));
  }

  private toAgent(f: TunnelFrame): void {
    send(this.agent, JSON.stringify(f));
  }

  private violation(ws: WebSocket, what: string, stream: number): void {
    this.violations += 1;
    this.host.audit(
      "security.alert",
      `The agent sent ${what} about VNC stream ${stream} of ${this.host.publicId()}, which the edge never opened; refused`,
      "warning",
      { frame: what, stream, violations: this.violations },
    );
    if (this.violations >= MAX_VIOLATIONS) ws.close(1008, "frames about streams it was not asked to open");
  }
}

function send(ws: WebSocket | null, data: string | Uint8Array): void {
  try {
    ws?.send(data);
  } catch {
    // closing; its close handler ends what depends on it
  }
}
