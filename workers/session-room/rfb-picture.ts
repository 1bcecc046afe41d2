// The recorded picture of a VNC session: an RFB stream of the room's own to the VNC server, opened when a
// recording starts and closed when it stops, whose server bytes (from ServerInit on) are the recording.
// Why the room's own and not the owner's browser stream: a browser's stream ends when its page reloads or
// closes, and its compressed encodings (Tight, ZRLE) carry zlib state from the stream's start, so neither
// a stream cut short nor one joined half-way replays. A stream opened for the recording starts with a
// fresh ServerInit and fresh zlib state, lives as long as the recording, and does not care who watches.
// The room plays the client: noVNC's pixel format (32 bits, depth 24, the one the player's noVNC asks for),
// encodings noVNC decodes and the room can walk (rfb-server.ts), and an update request after each update,
// at most one per PACE_MS (the recording's frame rate bound; x11vnc answers a request only once something
// changed). ServerCutText never enters a recording: the desktop's clipboard is not the picture.
import { RfbServerStream } from "./rfb-server.ts";

export const PACE_MS = 100;

/** noVNC's own pixel format (core/rfb.js, depth 24): 32 bpp, depth 24, little-endian, true colour, 8 bits
 * per channel, red at bit 0, green at 8, blue at 16. */
const PIXEL_FORMAT = new Uint8Array([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
/** CopyRect, Tight, ZRLE, Hextile, Raw; JPEG quality 6, compression 2; DesktopSize, LastRect. */
const ENCODINGS = [1, 7, 16, 5, 0, -26, -254, -223, -224];

export interface PictureOut {
  /** Client bytes for the server, on this stream. */
  toServer(bytes: Uint8Array): void;
  /** Server bytes for the recording; `first`: the stream's first (the ServerInit). */
  picture(bytes: Uint8Array, first: boolean): void;
  /** A whole FramebufferUpdate was recorded. */
  frame(): void;
  failed(reason: string): void;
}

export class RecordedPicture {
  private readonly server: RfbServerStream;
  private served = 0;
  private width = 0;
  private height = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    readonly stream: number,
    private readonly out: PictureOut,
  ) {
    this.server = new RfbServerStream(
      {
        pass: (bytes) => {
          out.picture(bytes, this.served === 0);
          this.served += bytes.byteLength;
        },
        init: (init) => this.started(init),
        message: (type) => {
          if (type !== 0) return;
          out.frame();
          this.next();
        },
        failed: (reason) => out.failed(reason),
      },
      () => false,
    );
  }

  /** The agent's connection passed the VNC server's authentication: the ClientInit (shared). */
  opened(): void {
    this.out.toServer(new Uint8Array([1]));
  }

  push(bytes: Uint8Array): void {
    if (!this.closed) this.server.push(bytes);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private started(init: Uint8Array): void {
    const dv = new DataView(init.buffer, init.byteOffset, 4);
    this.width = dv.getUint16(0);
    this.height = dv.getUint16(2);
    this.out.toServer(PIXEL_FORMAT);
    this.server.pixelFormat(PIXEL_FORMAT);
    const set = new Uint8Array(4 + 4 * ENCODINGS.length);
    const sv = new DataView(set.buffer);
    sv.setUint8(0, 2);
    sv.setUint16(2, ENCODINGS.length);
    for (const [i, e] of ENCODINGS.entries()) sv.setInt32(4 + 4 * i, e);
    this.out.toServer(set);
    this.request(false);
  }

  private next(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.request(true);
    }, PACE_MS);
  }

  private request(incremental: boolean): void {
    const req = new Uint8Array(10);
    const dv = new DataView(req.buffer);
    dv.setUint8(0, 3);
    dv.setUint8(1, incremental ? 1 : 0);
    dv.setUint16(6, this.width);
    dv.setUint16(8, this.height);
    this.out.toServer(req);
  }
}
