// The recording player's stand-in for the RDP session's WebSocket: IronRDP's client (built as the live view
// builds it, rdp-client.ts) talks to it as to the room. Its first message (the RDCleanPath request) starts
// the recorded bytes — the RDCleanPath response, then the server's RDP — at their recorded times, pauses
// longer than MAX_GAP_S shortened; everything else the client sends is ignored (a recording answers
// nobody). The server's answers follow from the client's configuration, so the player's client asks for
// what the recorded one did: the recording's `client` event (its desktop size, and whether it offered a
// clipboard channel). The file format is workers/session-room/rdp-recording.ts.
// IronRDP's wasm opens its socket with `new WebSocket(url)` and offers no way to hand it one, so the
// player puts its stand-in in place of the page's WebSocket for that one construction (installStandIn).
import { schedule } from "../vnc/replay.ts";

interface ClientFacts {
  width: number;
  height: number;
  channels: string[];
}

export interface RdpRecording {
  width: number;
  height: number;
  /** Whether the recorded client offered a clipboard channel (`cliprdr`, or `nocopy` once the room renamed
   * it: the server's channel ids count it either way). */
  clipboard: boolean;
  events: [number, Uint8Array][];
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads the recording file; throws on anything else, or on a recording whose client never connected. */
export function parseRdpRecording(text: string): RdpRecording {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const header = JSON.parse(lines.shift() ?? "null") as { format?: string } | null;
  if (header?.format !== "nostromo-rdp") throw new Error("This is not an RDP recording");
  const clients: ClientFacts[] = [];
  const events: [number, Uint8Array][] = [];
  for (const l of lines) {
    const [t, data] = JSON.parse(l) as [number, string | { client?: ClientFacts }];
    if (typeof data === "string") events.push([t, fromBase64(data)]);
    else if (data.client) clients.push(data.client);
  }
  const client = clients[0];
  if (!client) throw new Error("The RDP client never connected in this recording");
  return {
    width: client.width,
    height: client.height,
    clipboard: client.channels.some((c) => c === "cliprdr" || c === "nocopy"),
    events,
  };
}

/** Replaces the page's WebSocket with `make` for the next construction only. */
export function installStandIn(make: (url: string) => EventTarget): () => void {
  const real = globalThis.WebSocket;
  const restore = () => {
    globalThis.WebSocket = real;
  };
  globalThis.WebSocket = function StandIn(url: string | URL) {
    restore();
    return make(String(url));
  } as unknown as typeof WebSocket;
  return restore;
}

export class ReplaySocket extends EventTarget {
  binaryType = "arraybuffer";
  readyState = 0;
  readonly protocol = "";
  readonly extensions = "";
  readonly bufferedAmount = 0;
  private playing = false;
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    readonly url: string,
    private readonly recording: RdpRecording,
    private readonly ended: () => void,
  ) {
    super();
    this.later(0, () => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(): void {
    if (this.playing) return;
    this.playing = true;
    const { events } = this.recording;
    const at = schedule(events.map(([t]) => t));
    events.forEach(([, bytes], i) => {
      this.later((at[i] ?? 0) * 1000, () => this.deliver(bytes));
    });
    this.later(((at.at(-1) ?? 0) + 0.5) * 1000, () => this.ended());
  }

  close(code = 1000, reason = "end of recording"): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: true }));
  }

  private deliver(bytes: Uint8Array): void {
    if (this.readyState !== 1) return;
    this.dispatchEvent(new MessageEvent("message", { data: bytes.slice().buffer }));
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }
}
