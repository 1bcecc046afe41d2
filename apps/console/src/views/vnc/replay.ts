// The recording player's stand-in for the session's WebSocket: noVNC talks to it as to the room. It plays
// the handshake the room plays live (version 3.8, security type None, SecurityResult OK) as noVNC answers
// each step, then hands noVNC the recorded server bytes (from ServerInit on) at their recorded times, with
// pauses longer than MAX_GAP_S shortened. What noVNC sends after the handshake (its update requests) is
// ignored: a recording answers nobody. The file format is workers/session-room/rfb-recording.ts.
import { fromBase64, recordedLines, schedule } from "../player/recorded-stream.ts";
import type { RfbChannel } from "./novnc.ts";

export interface RfbRecording {
  width: number;
  height: number;
  events: [number, Uint8Array][];
}

/** Reads the recording file; throws on anything else (an asciicast, a damaged file). */
export function parseRecording(text: string): RfbRecording {
  const { header, events } = recordedLines(text, "nostromo-rfb", "This is not a VNC recording");
  return {
    width: typeof header.width === "number" ? header.width : 0,
    height: typeof header.height === "number" ? header.height : 0,
    events: events.map(([t, data]) => [t, fromBase64(String(data))]),
  };
}

const HANDSHAKE = [new TextEncoder().encode("RFB 003.008\n"), new Uint8Array([1, 1]), new Uint8Array(4)];

export class ReplayChannel implements RfbChannel {
  binaryType = "arraybuffer";
  readyState: number = 1;
  protocol = "";
  onopen: RfbChannel["onopen"] = null;
  onmessage: RfbChannel["onmessage"] = null;
  onclose: RfbChannel["onclose"] = null;
  onerror: RfbChannel["onerror"] = null;
  private sends = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    private readonly recording: RfbRecording,
    private readonly ended: () => void,
  ) {
    this.later(0, () => this.deliver(HANDSHAKE[0]));
  }

  send(): void {
    this.sends += 1;
    if (this.sends <= 2) this.later(0, () => this.deliver(HANDSHAKE[this.sends]));
    else if (this.sends === 3) this.play(); // ClientInit: the recorded stream starts with the ServerInit
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1000, reason: "end of recording", wasClean: true });
  }

  private play(): void {
    const { events } = this.recording;
    const at = schedule(events.map(([t]) => t));
    events.forEach(([, bytes], i) => {
      this.later((at[i] ?? 0) * 1000, () => this.deliver(bytes));
    });
    this.later(((at.at(-1) ?? 0) + 0.5) * 1000, () => this.ended());
  }

  private deliver(bytes: Uint8Array | undefined): void {
    if (!bytes || this.readyState !== 1) return;
    this.onmessage?.({ data: bytes.slice().buffer });
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }
}
