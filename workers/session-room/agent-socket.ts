// The room's side of its agent (AgentSide): the data socket, control-link events about the session, the
// agent's loss and return — who may speak for the session and what a frame may be. Kept out of
// session-room.ts so the room reads as a table of contents; the room hands it a narrow host interface.
// - Only the session's own agent acts on it: control-link events are accepted from the agent the room
//   was opened with (and its tenant) only, and the data socket only with the data token the room issued
//   for this session — which the edge hands to that agent alone, over its authenticated control link.
// - Binary frames are bounded (MAX_DATA_FRAME_BYTES): a bigger one closes the socket with 1009 and is
//   audited; the agent may re-dial (the session waits for it as for any dropped socket).
// - Text frames are zod-validated, of a bounded size; unknown types are ignored (protocol evolution);
//   malformed ones are counted and past MAX_GARBAGE the socket is closed (1008). Nothing here throws.
// - Resume: an accepted data socket is first told how many output bytes of this shell the room has stored
//   (`resume { offset }`); a reconnecting agent re-sends what it wrote after that into a socket that died
//   (a dropped link, a restarted Worker), so nothing is lost. A new shell counts from zero.
import { randomToken, sha256Hex } from "@nostromo/crypto";
import type { AgentFrame } from "@nostromo/protocol";
import {
  AGENT_DATA_FRAME_TYPES,
  type AgentDataFrame,
  encodeEdgeDataFrame,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_DATA_FRAME_BYTES,
  parseAgentDataFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import type { OutputOffset } from "./output-offset.ts";

export const MAX_GARBAGE = 50;

export interface AgentIdentityClaim {
  agentId: string;
  tenantId: string;
}

/** Whether a control-link event may act on this session: from the edge itself (no claim), or from the
 * session's own agent of the session's own tenant. */
export function agentMayAct(
  session: { agentId: string; tenantId: string },
  from: AgentIdentityClaim | undefined,
): boolean {
  if (!from) return true;
  return from.agentId === session.agentId && from.tenantId === session.tenantId;
}

export type SessionAgentEvent = Extract<
  AgentFrame,
  { t: "session.opened" | "session.failed" | "session.closed" }
>;

export interface AgentSocketHandlers {
  output(bytes: Uint8Array): void;
  control(frame: AgentDataFrame): void;
  /** A binary frame over the limit: the socket is being closed with 1009. */
  oversized(bytes: number): void;
  /** The socket closed or failed. */
  lost(): void;
}

/** Accepts the agent's data socket and routes its frames; never throws on what the agent sends. */
export function attachAgentSocket(ws: WebSocket, h: AgentSocketHandlers): void {
  // Binary frames as ArrayBuffers (the default here is Blob, whose async read would reorder output).
  ws.binaryType = "arraybuffer";
  ws.accept();
  let garbage = 0;
  let unknown = 0;
  let open = true;
  ws.addEventListener("message", (ev) => {
    if (!open) return;
    if (typeof ev.data !== "string") {
      const data = ev.data as ArrayBuffer;
      if (data.byteLength > MAX_DATA_FRAME_BYTES) {
        open = false;
        ws.close(FRAME_TOO_BIG_CLOSE_CODE, `frame over ${MAX_DATA_FRAME_BYTES} bytes`);
        h.oversized(data.byteLength);
        return;
      }
      h.output(new Uint8Array(data));
      return;
    }
    const parsed = parseAgentDataFrame(ev.data);
    if (parsed.ok) {
      h.control(parsed.msg);
      return;
    }
    if (unknownFrameType(ev.data, AGENT_DATA_FRAME_TYPES) !== null) {
      unknown += 1;
      if ((unknown & (unknown - 1)) === 0)
        console.warn(JSON.stringify({ level: "warn", msg: "data frame of unknown type ignored", unknown }));
      return;
    }
    garbage += 1;
    if (garbage > MAX_GARBAGE) {
      open = false;
      ws.close(1008, "too many malformed frames");
    }
  });
  ws.addEventListener("close", () => h.lost());
  ws.addEventListener("error", () => h.lost());
}

/** What the agent side needs to see of the room's state (the room's own record, mutated in place). */
export interface AgentSessionView {
  agentId: string;
  tenantId: string;
  publicId: string;
  connectionId: string;
  status: "connecting" | "active" | "disconnected" | "ended" | "error";
  cols: number;
  rows: number;
  dataTokenHash: string;
  shellIntegration: boolean;
  kind?: "tunnel" | "rdp" | "vnc";
  /** Absent in rooms made before it: ssh. */
  connectionType?: string;
}

/** What the room hands over to reopen a session on a restarted agent (workers/sessions/open.ts builds
 * the frame of the session's type from it). */
export interface ReopenPrep {
  dataToken: string;
  cols: number;
  rows: number;
  connectionId: string;
  connectionType: string;
  shellIntegration: boolean;
  markKey: string;
}

/** What the agent side asks of the room. */
export interface AgentSideHost {
  meta(): AgentSessionView | null;
  setStatus(
    status: "active" | "disconnected" | "ended" | "error",
    reason: string | null,
    code?: string | null,
    /** The remote shell's exit status, when it exited. */
    exitCode?: number | null,
  ): Promise<void>;
  scheduleIdle(): Promise<void>;
  output(bytes: Uint8Array): void;
  /** Processes the output still batched (so the stored offset counts it) before a resume is told. */
  flushOutput(): void;
  /** Trust on first use: pins the key when the connection has none. */
  pinHostKey(hostKey: string): Promise<void>;
  save(): Promise<void>;
  notice(level: "info" | "warn" | "error", message: string, code?: string): void;
  audit(
    type: "security.alert" | "session.ended",
    description: string,
    status: "warning" | "failure",
    metadata: Record<string, unknown>,
  ): void;
  /** A new shell is about to be opened for this session: returns its shell-integration mark key. */
  newShell(): string;
  /** A tunnel's, RDP or VNC session's data socket, accepted: its frames are the relay's (tunnel-relay.ts,
   * rdp-relay.ts, vnc-relay.ts). */
  tunnelAgent(ws: WebSocket): void;
}

export type DataControlFrame = { t: "resize"; cols: number; rows: number } | { t: "close"; reason: string };

/** The session's agent: its data socket, its control-link events, reopening after an agent restart. */
export class AgentSide {
  socket: WebSocket | null = null;

  /** `offset`: output bytes of the current shell the room has stored; the room adds to it as it stores. */
  constructor(
    readonly offset: OutputOffset,
    private readonly room: AgentSideHost,
  ) {}

  /** Sends a control frame on the data socket; a socket already gone is the state machine's business. */
  send(frame: DataControlFrame): void {
    try {
      this.socket?.send(encodeEdgeDataFrame(frame));
    } catch {
      // already closed
    }
  }

  close(code: number, reason: string): void {
    this.socket?.close(code, reason);
    this.socket = null;
  }

  /** The data socket upgrade: only with the token this room issued for this session. */
  async upgrade(request: Request, m: AgentSessionView): Promise<Response> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    if ((await sha256Hex(token)) !== m.dataTokenHash) {
      return Response.json(
        { error: { code: "UNAUTHORIZED", message: "Bad data token", requestId: "room" } },
        { status: 401 },
      );
    }
    const pair = new WebSocketPair();
    if (m.kind) {
      this.socket = pair[1];
      this.room.tunnelAgent(pair[1]);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    this.accept(pair[1]);
    if (m.status === "disconnected") {
      await this.room.setStatus("active", null);
      await this.room.scheduleIdle();
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private accept(ws: WebSocket): void {
    this.socket?.close(4000, "replaced");
    this.socket = ws;
    attachAgentSocket(ws, {
      output: (bytes) => this.room.output(bytes),
      control: (f) => this.control(f),
      oversized: (bytes) => {
        const m = this.room.meta();
        this.room.audit(
          "security.alert",
          `The agent sent an output frame of ${bytes} bytes in ${m?.publicId}; refused`,
          "warning",
          { agentId: m?.agentId, bytes },
        );
      },
      lost: () => {
        if (this.socket !== ws) return;
        this.socket = null;
        void this.lost();
      },
    });
    this.room.flushOutput();
    try {
      ws.send(encodeEdgeDataFrame({ t: "resume", offset: this.offset.received }));
    } catch {
      // closed at once; the close handler deals with it
    }
  }

  private control(f: AgentDataFrame): void {
    const m = this.room.meta();
    if (!m) return;
    if (f.t === "ready") {
      void this.room.setStatus("active", null).then(() => this.room.scheduleIdle());
      this.send({ t: "resize", cols: m.cols, rows: m.rows });
    } else if (f.t === "exit") {
      const code = f.code !== null && f.code !== undefined ? ` with code ${f.code}` : "";
      void this.room.setStatus("ended", `The remote shell exited${code}`, null, f.code ?? null);
    } else if (f.t === "error") {
      void this.room.setStatus("error", f.message, f.code);
    }
  }

  /** A control-link event about this session; false when refused (not this session's agent). */
  async event(frame: SessionAgentEvent, from: AgentIdentityClaim | undefined): Promise<boolean> {
    const m = this.room.meta();
    if (!m || !agentMayAct(m, from)) return false;
    if (frame.t === "session.opened") await this.room.pinHostKey(frame.hostKey);
    else if (frame.t === "session.failed") await this.room.setStatus("error", frame.message, frame.code);
    else await this.room.setStatus("ended", frame.reason || "The remote shell closed");
    return true;
  }

  /** The data socket or the control link dropped: wait for the agent within the grace window. A claim
   * from another agent's link is ignored. */
  async lost(agentId?: string): Promise<void> {
    const m = this.room.meta();
    if (!m || (agentId !== undefined && agentId !== m.agentId)) return;
    if (m.status === "active" || m.status === "connecting") {
      this.close(1011, "agent lost");
      await this.room.setStatus("disconnected", "The agent link dropped; waiting for it to come back");
    }
  }

  /** For an agent that came back without this session's connection to the target: a fresh data token
   * (the old one is forgotten), the size and the type to reopen with; null when the session is not waiting
   * for its agent. */
  async prepareReopen(): Promise<ReopenPrep | null> {
    const m = this.room.meta();
    // A tunnel's streams (an RDP or VNC stream) died with its data socket: there is nothing to reopen.
    if (!m || m.kind || (m.status !== "disconnected" && m.status !== "connecting")) return null;
    const dataToken = randomToken(32);
    m.dataTokenHash = await sha256Hex(dataToken);
    const markKey = this.room.newShell();
    this.offset.reset();
    await this.room.save();
    const connectionType = m.connectionType ?? "ssh";
    this.room.notice(
      "warn",
      connectionType === "telnet"
        ? "The agent came back; reconnecting to the telnet server (log in again at its prompt)"
        : "The agent came back; reopening the shell on the target",
    );
    const { cols, rows, connectionId, shellIntegration } = m;
    return { dataToken, cols, rows, connectionId, connectionType, shellIntegration, markKey };
  }

  /** The output could not be stored: the session cannot keep its guarantees (the recording and the
   * restart tail hold everything viewers saw), so it ends in error — recorded, and viewers told why. */
  storageFailed(err: unknown): void {
    const m = this.room.meta();
    console.error(
      JSON.stringify({ level: "error", msg: "session output storage failed", error: String(err) }),
    );
    this.room.notice(
      "error",
      "The session's output could not be stored; the session was ended",
      "STORAGE_FAILED",
    );
    this.room.audit("session.ended", `Output storage failed in ${m?.publicId}`, "failure", {
      error: String(err).slice(0, 500),
    });
    this.send({ t: "close", reason: "output storage failed" });
    void this.room.setStatus("error", "The session's output could not be stored", "STORAGE_FAILED");
  }
}
