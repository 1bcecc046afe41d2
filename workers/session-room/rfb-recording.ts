// The recording format of a VNC session: the lines of an asciicast-like file (a JSON header line, then one
// JSON array per event), whose events are the RFB bytes the VNC server sent on the owner's stream, from
// ServerInit on, base64 with their time in seconds: `[0.25, "AAEC…"]`. The console's player feeds them to
// noVNC through a stand-in socket at those times (apps/console/src/views/vnc/replay.ts), after playing the
// handshake the room plays live (security type None). Kept as lines so the recorder's durability (every
// line in the object's storage before it reaches a viewer, chunks shipped to R2) is the SSH recordings'.
// Pure: no I/O.
import { decodeBase64, encodeBase64 } from "@nostromo/crypto";

export const RFB_MIME_TYPE = "application/x-nostromo-rfb";
export const RFB_FORMAT = "nostromo-rfb";

export interface RfbHeader {
  format: typeof RFB_FORMAT;
  version: 1;
  width: number;
  height: number;
  timestamp: number;
  title?: string;
}

export function rfbHeaderLine(h: Omit<RfbHeader, "format" | "version">): string {
  return `${JSON.stringify({ format: RFB_FORMAT, version: 1, ...h })}\n`;
}

export function rfbEventLine(seconds: number, bytes: Uint8Array): string {
  return `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, encodeBase64(bytes)])}\n`;
}

/** The size in a ServerInit (the first 4 bytes the server sends after the handshake), or null. */
export function serverInitSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.byteLength < 4) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  return { width: dv.getUint16(0), height: dv.getUint16(2) };
}

export function parseRfbRecording(text: string): { header: RfbHeader; events: [number, Uint8Array][] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const header = JSON.parse(lines.shift() ?? "null") as RfbHeader | null;
  if (header?.format !== RFB_FORMAT) throw new Error("not an RFB recording");
  return {
    header,
    events: lines.map((l) => {
      const [t, data] = JSON.parse(l) as [number, string];
      return [t, decodeBase64(data) ?? new Uint8Array(0)];
    }),
  };
}
