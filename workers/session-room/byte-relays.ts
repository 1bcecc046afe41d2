// The byte relays of a session that is not a shell, one per kind: a TCP tunnel's streams (tunnel-relay.ts),
// an RDP session's bytes and its watchers (rdp-relay.ts), a VNC session's RFB streams (vnc-relay.ts). A
// room holds all three and uses the one its session's kind names; this is where "which relay" is decided
// (the agent's data socket, the session's end, a login's kill switch, the bytes each way), so the room's
// entry points stay one line each. What the relays share — status, idle timeout, audit — is the room's
// (`TunnelRelayHost`); the recording hooks are the room recording's.
import type { ClientFacts } from "./rdp-channels.ts";
import { RdpRelay } from "./rdp-relay.ts";
import { TunnelRelay, type TunnelRelayHost } from "./tunnel-relay.ts";
import { VncRelay } from "./vnc-relay.ts";

export type RelayKind = "tunnel" | "rdp" | "vnc";

export interface ByteRelaysHost extends TunnelRelayHost {
  /** Clipboard transfer allowed on this session's connection (RDP and VNC). */
  clipboard(): boolean;
  /** The recording's hooks: RDP's client bytes and what its client asked for; VNC's server stream. */
  rdpPicture(bytes: Uint8Array): void;
  rdpClient(facts: ClientFacts): void;
  vncPicture(bytes: Uint8Array, first: boolean): void;
  vncFrame(): void;
}

export class ByteRelays {
  readonly tunnel: TunnelRelay;
  readonly rdp: RdpRelay;
  readonly vnc: VncRelay;

  constructor(host: ByteRelaysHost) {
    this.tunnel = new TunnelRelay(host);
    this.rdp = new RdpRelay({
      ...host,
      picture: (b) => host.rdpPicture(b),
      client: (f) => host.rdpClient(f),
    });
    this.vnc = new VncRelay({
      ...host,
      picture: (b, first) => host.vncPicture(b, first),
      frame: () => host.vncFrame(),
    });
  }

  /** The agent's data socket of a tunnel, RDP or VNC session. */
  attachAgent(kind: RelayKind, ws: WebSocket): void {
    if (kind === "rdp") this.rdp.attachAgent(ws);
    else if (kind === "vnc") this.vnc.attachAgent(ws);
    else this.tunnel.attachAgent(ws);
  }

  /** The session is over: only its own relay closes (each audits its closing with its counters). */
  close(kind: RelayKind, reason: string): void {
    if (kind === "tunnel") this.tunnel.close(reason);
    else if (kind === "rdp") this.rdp.close(reason);
    else this.vnc.close(reason.slice(0, 100));
  }

  /** A login's kill switch: its sockets on every relay; how many were closed. */
  closeLogin(loginId: string, reason: string): number {
    return (
      this.tunnel.closeLogin(loginId, reason) +
      this.rdp.closeLogin(loginId, reason) +
      this.vnc.closeLogin(loginId, reason)
    );
  }

  /** Bytes each way so far on the session's relay. */
  bytes(kind: RelayKind): { bytesUp: number; bytesDown: number } {
    const c = this[kind].counters;
    return { bytesUp: c.bytesUp, bytesDown: c.bytesDown };
  }
}
