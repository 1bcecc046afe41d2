// The recording format of an RDP session: the lines of the VNC recordings' format (rfb-recording.ts: a JSON
// header line, then one JSON array per event) whose events are the bytes the agent sent the browser's
// client — the RDCleanPath response, then every RDP byte of the server after it — base64 with their time:
// `[0.25, "MIIB…"]`, and one `[t, { "client": { width, height, channels } }]` when the client's Connect
// Initial passes, naming what the player's client must ask for to be answered by those bytes (the server's
// answers follow from the client's configuration; docs/live-sessions.md, RDP sessions, Recording). The
// console's player (apps/console/src/views/desktop/rdp-replay.ts) feeds them to IronRDP's client through a
// stand-in socket. Pure: no I/O.
import type { ClientFacts } from "./rdp-channels.ts";

export const RDP_MIME_TYPE = "application/x-nostromo-rdp";
export const RDP_FORMAT = "nostromo-rdp";

export function rdpHeaderLine(h: {
  width: number;
  height: number;
  timestamp: number;
  title?: string;
}): string {
  return `${JSON.stringify({ format: RDP_FORMAT, version: 1, ...h })}\n`;
}

export function rdpClientLine(seconds: number, client: ClientFacts): string {
  return `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, { client }])}\n`;
}

/** Counts the server's fast-path output PDUs (its screen updates, MS-RDPBCGR 2.2.9.1.2) in the bytes the
 * client receives, across frame boundaries: a recording's frames per second. The first frame (the
 * RDCleanPath response) is skipped; after it every PDU is a TPKT (first byte 3, 16-bit big-endian length)
 * or a fast-path one (action bits 0, a 1- or 2-byte length). Unreadable bytes stop the count. */
export class UpdateCounter {
  updates = 0;
  private started = false;
  private skip = 0;
  private head: number[] = [];
  private lost = false;

  push(bytes: Uint8Array): void {
    if (!this.started) {
      this.started = true;
      return;
    }
    let i = 0;
    while (i < bytes.length && !this.lost) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, bytes.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.head.push(bytes[i++] as number);
      const length = pduLength(this.head);
      if (length === undefined) continue;
      if (length === null || length < this.head.length) {
        this.lost = true;
        return;
      }
      if ((this.head[0] as number) !== 3) this.updates += 1;
      this.skip = length - this.head.length;
      this.head = [];
    }
  }
}

/** A PDU's whole length from its first bytes; undefined while more are needed, null if unreadable. */
function pduLength(h: number[]): number | null | undefined {
  const first = h[0] as number;
  if (first === 3) return h.length < 4 ? undefined : ((h[2] as number) << 8) | (h[3] as number);
  if ((first & 3) !== 0) return null;
  if (h.length < 2) return undefined;
  const b1 = h[1] as number;
  if (!(b1 & 0x80)) return b1;
  return h.length < 3 ? undefined : ((b1 & 0x7f) << 8) | (h[2] as number);
}
