// The room part of an RDP session (docs/live-sessions.md, RDP sessions): relays the bytes of the browser's
// IronRDP client (RDCleanPath, then RDP) between its WebSocket and the agent's data socket, unchanged — the
// agent is the RDCleanPath proxy; the room only decides who is connected, bounds frames and counts bytes.
// - One client: the session's owner. A second socket of the owner replaces the first (a reload), and the
//   RDP connection cannot be taken over mid-stream, so the session ends when the client goes.
// - Binary frames are bounded (the agent's MAX_RDP_CHUNK, the browser's 1 MiB); a bigger one closes the socket that sent it (1009). Text
//   frames from the browser are not part of the protocol and are dropped; from the agent only `ready` and
//   `error` are accepted, anything malformed is counted and past MAX_GARBAGE cuts the agent (1008).
// - Clipboard as a setting: on a connection whose policy turns clipboard transfer off, the client's
//   channel list (its first RDP PDU) has its `cliprdr` entry renamed before the server sees it, so no
//   clipboard channel exists either way; a first PDU that cannot be read whole closes the socket (fails
//   closed) — rdp-channels.ts. Before it, only whole DER values (the RDCleanPath request) pass.
// - Recording: every byte the agent sends the client (the RDCleanPath response, then the server's RDP) is
//   handed to the recording before it is relayed, and the client's Connect Initial is read for what a
//   player must ask for (its desktop size, its channels) — rdp-recording.ts.
// - Viewers (rdp-viewers.ts) get the same bytes, from the first, and nothing they send goes anywhere.
// - Bytes each way and the duration are audited when the session closes.
// A session kind in the same room as shells and tunnels, so DELETE, the kill switch, the idle timeout and
// the agent's loss end it through the one lifecycle.
import {
  AGENT_RDP_DATA_FRAME_TYPES,
  FRAME_TOO_BIG_CLOSE_CODE,
  MAX_RDP_CHUNK,
  parseAgentRdpDataFrame,
  unknownFrameType,
} from "@nostromo/protocol";
import { OwnerRelay, type OwnerRelayHost, send } from "./owner-relay.ts";
import { type ClientFacts, connectInitialFacts, derLength, renameStaticChannel } from "./rdp-channels.ts";
import { RdpViewers } from "./rdp-viewers.ts";

const MAX_GARBAGE = 50;
/** The browser writes whole RDP PDUs (a clipboard transfer can be large); workerd's own bound is 1 MiB. */
const MAX_CLIENT_FRAME = 1024 * 1024;

export interface RdpRelayHost extends OwnerRelayHost {
  publicId(): string;
  /** The agent's data socket said `ready`. */
  ready(): void;
  failed(code: string, message: string): void;
  /** Traffic: the idle timeout starts again. */
  touched(): void;
  /** Whether clipboard transfer is allowed (workers/sessions/clipboard.ts decided it at the start). */
  clipboard(): boolean;
  /** Bytes for the client, before they are relayed (the recording's). */
  picture(bytes: Uint8Array): void;
  /** The client's Connect Initial passed: what it asked for. */
  client(facts: ClientFacts): void;
  audit(
    type: "session.ended",
    description: string,
    status: "success",
    metadata: Record<string, unknown>,
  ): void;
}

export class RdpRelay extends OwnerRelay<RdpRelayHost> {
  readonly counters = { bytesUp: 0, bytesDown: 0 };
  readonly viewers = new RdpViewers();
  /** The client's channel list (its Connect Initial) has been let through. */
  private channelsChecked = false;

  attachAgent(ws: WebSocket): void {
    let garbage = 0;
    this.adoptAgent(
      ws,
      {
        binary: (data) => {
          if (!bounded(ws, data, MAX_RDP_CHUNK)) return;
          this.counters.bytesDown += data.byteLength;
          this.host.touched();
          const bytes = new Uint8Array(data);
          this.host.picture(bytes);
          this.viewers.serverBytes(bytes);
          send(this.client?.ws ?? null, data);
        },
        text: (text) => {
          const parsed = parseAgentRdpDataFrame(text);
          if (parsed.ok) {
            if (parsed.msg.t === "ready") this.host.ready();
            else this.host.failed(parsed.msg.code, parsed.msg.message);
          } else if (unknownFrameType(text, AGENT_RDP_DATA_FRAME_TYPES) === null && ++garbage > MAX_GARBAGE)
            ws.close(1008, "too many malformed frames");
        },
      },
      "The agent closed the RDP session",
    );
  }

  /** The browser's socket; only the owner's is routed here. */
  attachClient(ws: WebSocket, loginId: string | null): void {
    this.adoptClient(
      ws,
      loginId,
      {
        binary: (data) => {
          if (!bounded(ws, data, MAX_CLIENT_FRAME)) return;
          if (!this.channelsChecked && !this.checkChannels(ws, new Uint8Array(data))) return;
          this.counters.bytesUp += data.byteLength;
          this.host.touched();
          send(this.agent, data);
        },
        text: () => {},
      },
      () => {
        if (!this.closed) this.host.end("The RDP client disconnected");
      },
    );
  }

  /** Lets a client frame through before the channel list is settled, renaming `cliprdr` in place when the
   * clipboard is off (false, the socket closed, for what cannot be checked then), and reading the Connect
   * Initial's facts for the recording. */
  private checkChannels(ws: WebSocket, frame: Uint8Array): boolean {
    const clipboard = this.host.clipboard();
    if (frame[0] === 0x30) {
      if (clipboard || derLength(frame) === frame.length) return true;
      ws.close(1008, "an RDCleanPath or CredSSP frame must hold one whole value");
      return false;
    }
    this.channelsChecked = true;
    const r = clipboard ? null : renameStaticChannel(frame, "cliprdr");
    if (r && !r.ok) {
      ws.close(1008, `clipboard is off and the channel list cannot be checked: ${r.error}`);
      return false;
    }
    const facts = connectInitialFacts(frame);
    if (facts) {
      this.host.client(facts);
      this.viewers.client(facts);
    }
    return true;
  }

  override closeLogin(loginId: string, reason: string): number {
    return super.closeLogin(loginId, reason) + this.viewers.closeLogin(loginId, reason);
  }

  override close(reason: string): void {
    super.close(reason);
    this.viewers.close(reason);
  }

  protected audit(reason: string, durationMs: number): void {
    const { bytesUp, bytesDown } = this.counters;
    this.host.audit(
      "session.ended",
      `RDP session ${this.host.publicId()} closed: ${bytesUp} bytes up, ${bytesDown} bytes down, ${Math.round(durationMs / 1000)} s (${reason})`,
      "success",
      {
        rdp: true,
        bytes_up: bytesUp,
        bytes_down: bytesDown,
        duration_ms: durationMs,
        clipboard: this.host.clipboard(),
        reason,
      },
    );
  }
}

function bounded(ws: WebSocket, data: ArrayBuffer, max: number): boolean {
  if (data.byteLength <= max) return true;
  ws.close(FRAME_TOO_BIG_CLOSE_CODE, `frame over ${max} bytes`);
  return false;
}
