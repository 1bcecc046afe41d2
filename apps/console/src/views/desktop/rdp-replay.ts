// The recording player's stand-in for the RDP session's WebSocket (and the watcher's: rdp-watch.ts): IronRDP's client (built as the live view
// builds it, rdp-client.ts) talks to it as to the room. Its first message (the RDCleanPath request) starts
// the recorded bytes — the RDCleanPath response, then the server's RDP — at their recorded times, pauses
// longer than MAX_GAP_S shortened; everything else the client sends is ignored (a recording answers
// nobody). The server's answers follow from the client's configuration, so the player's client asks for
// what the recorded one did: the recording's `client` event (its desktop size, and whether it offered a
// clipboard channel). The file format is workers/session-room/rdp-recording.ts.
// IronRDP's wasm opens its socket with `new WebSocket(url)` and offers no way to hand it one, so the
// player puts its stand-in in place of the page's WebSocket for that one construction (installStandIn).
import { fromBase64, recordedLines, schedule } from "../player/recorded-stream.ts";

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

/** Reads the recording file; throws on anything else, or on a recording whose client never connected. */
export function parseRdpRecording(text: string): RdpRecording {
  const lines = recordedLines(text, "nostromo-rdp", "This is not an RDP recording");
  const clients: ClientFacts[] = [];
  const events: [number, Uint8Array][] = [];
  for (const [t, data] of lines.events) {
    if (typeof data === "string") events.push([t, fromBase64(data)]);
    else if (data && typeof data === "object" && "client" in data) clients.push(data.client as ClientFacts);
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

/** A socket IronRDP's client talks to that answers from elsewhere: its first message (the RDCleanPath
 * request) calls `started`; `deliver` hands it bytes; what it sends after is dropped. */
export class StandInSocket extends EventTarget {
  binaryType = "arraybuffer";
  readyState = 0;
  readonly protocol = "";
  readonly extensions = "";
  readonly bufferedAmount = 0;
  private sent = false;

  constructor(
    readonly url: string,
    private readonly started: () => void,
  ) {
    super();
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    }, 0);
  }

  send(): void {
    if (this.sent) return;
    this.sent = true;
    this.started();
  }

  deliver(bytes: Uint8Array | ArrayBuffer): void {
    if (this.readyState !== 1) return;
    const data = bytes instanceof ArrayBuffer ? bytes : bytes.slice().buffer;
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  close(code = 1000, reason = "closed"): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: true }));
  }
}

/** A recording played: the recorded bytes at their times, from the client's first message. */
export class ReplaySocket extends StandInSocket {
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor(url: string, recording: RdpRecording, ended: () => void) {
    super(url, () => {
      const { events } = recording;
      const at = schedule(events.map(([t]) => t));
      events.forEach(([, bytes], i) => {
        this.timers.push(setTimeout(() => this.deliver(bytes), (at[i] ?? 0) * 1000));
      });
      this.timers.push(setTimeout(ended, ((at.at(-1) ?? 0) + 0.5) * 1000));
    });
  }

  override close(code = 1000, reason = "end of recording"): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    super.close(code, reason);
  }
}
