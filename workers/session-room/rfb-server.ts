// The room's reading of the VNC server's side of one RFB stream (RFC 6143 §7.6 and the extensions noVNC
// asks for), so that server messages can be told apart: ServerCutText (the server's clipboard) is dropped
// on a connection whose clipboard transfer is off, and the end of every FramebufferUpdate is known (the
// recording counts and paces updates by it). Server messages carry no length: a FramebufferUpdate is only
// crossed by walking each rectangle of each encoding, so the room also decides which encodings may be
// asked for — `allowedEncodings` rewrites the browser's SetEncodings to the ones walked here (noVNC's own
// list minus H.264, JPEG and the VMware cursor, which it offers but cannot be walked without decoding).
// Nothing is decompressed: Tight, ZRLE and Zlib carry their compressed lengths. Bytes pass through as they
// come (no message is buffered whole); only a message's first few bytes are held until its type is known.
// A type or encoding not known here ends the stream with the reason (nothing after it could be read).
// Pure: bytes in, bytes out.

/** Encodings whose rectangles are walked below, and pseudo-encodings that add nothing or a known length. */
const WALKED = new Set([
  0, // Raw
  1, // CopyRect
  2, // RRE
  5, // Hextile
  6, // Zlib
  7, // Tight
  16, // ZRLE
  -260, // TightPNG
  -223, // DesktopSize
  -224, // LastRect
  -239, // Cursor
  -258, // QEMU extended key event
  -261, // QEMU LED state
  -307, // DesktopName
  -308, // ExtendedDesktopSize
  -309, // xvp
  -312, // Fence
  -313, // ContinuousUpdates
  -316, // ExtendedMouseButtons
]);
/** The Extended Clipboard pseudo-encoding (0xc0a1e5ce as a signed 32-bit number). */
export const EXTENDED_CLIPBOARD = 0xc0a1e5ce | 0;

/** Whether the browser may ask for `encoding`: walked here, or a client-side level (quality, compression). */
export function allowedEncoding(encoding: number, clipboard: boolean): boolean {
  if (encoding === EXTENDED_CLIPBOARD) return clipboard;
  return (
    WALKED.has(encoding) || (encoding >= -32 && encoding <= -23) || (encoding >= -256 && encoding <= -247)
  );
}

/** A SetEncodings message (type 2) keeping only what `allowedEncoding` allows, in the browser's order. */
export function allowedEncodings(msg: Uint8Array, clipboard: boolean): Uint8Array {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const kept: number[] = [];
  for (let i = 0; i < dv.getUint16(2); i++) {
    const e = dv.getInt32(4 + 4 * i);
    if (allowedEncoding(e, clipboard)) kept.push(e);
  }
  const out = new Uint8Array(4 + 4 * kept.length);
  const ov = new DataView(out.buffer);
  ov.setUint8(0, 2);
  ov.setUint16(2, kept.length);
  kept.forEach((e, i) => {
    ov.setInt32(4 + 4 * i, e);
  });
  return out;
}

export interface ServerStreamOut {
  /** Bytes to relay to the browser. */
  pass(bytes: Uint8Array): void;
  /** The ServerInit was read: the desktop's size and the stream's first bytes (for a recording). */
  init?(init: Uint8Array): void;
  /** A whole server message ended (type 0: a FramebufferUpdate). */
  message?(type: number): void;
  /** The stream cannot be read further. */
  failed(reason: string): void;
}

type Need = { read: number } | { skip: number };

/** Reads one server stream from its ServerInit on. `clipboard()` is asked at each ServerCutText. */
export class RfbServerStream {
  private readonly walker: Generator<Need, void, Uint8Array>;
  private need: Need;
  private got: Uint8Array[] = [];
  private gotBytes = 0;
  /** Bytes of the current message read before its fate is known. */
  private held: Uint8Array[] = [];
  private mode: "hold" | "pass" | "drop" = "hold";
  private bytesPerPixel = 4;
  /** Tight sends 3-byte pixels for 32-bit true colour of depth 24 (its TPIXEL). */
  private tightPixel = 3;
  private dead = false;

  constructor(
    private readonly out: ServerStreamOut,
    private readonly clipboard: () => boolean,
  ) {
    this.walker = this.walk();
    this.need = this.walker.next().value ?? { skip: 0 };
  }

  /** The pixel format the browser set (SetPixelFormat's 16 bytes after its 4-byte header). */
  pixelFormat(msg: Uint8Array): void {
    this.setFormat(msg.subarray(4, 20));
  }

  push(data: Uint8Array): void {
    let at = 0;
    while (!this.dead && at < data.byteLength) {
      const n = "read" in this.need ? this.need.read - this.gotBytes : this.need.skip;
      const piece = data.subarray(at, at + n);
      at += piece.byteLength;
      this.emit(piece);
      if ("read" in this.need) {
        this.got.push(piece);
        this.gotBytes += piece.byteLength;
        if (this.gotBytes < this.need.read) continue;
        const whole = concat(this.got, this.gotBytes);
        this.got = [];
        this.gotBytes = 0;
        this.advance(whole);
      } else {
        this.need = { skip: n - piece.byteLength };
        if (this.need.skip === 0) this.advance(new Uint8Array(0));
      }
    }
  }

  /** Resumes the walk with what it asked for, past any need of zero bytes. */
  private advance(value: Uint8Array): void {
    try {
      for (let v = value; ; v = new Uint8Array(0)) {
        const next = this.walker.next(v);
        if (next.done) {
          this.dead = true;
          return;
        }
        this.need = next.value;
        if (("read" in this.need ? this.need.read : this.need.skip) > 0) return;
      }
    } catch (err) {
      this.dead = true;
      this.out.failed(err instanceof Error ? err.message : String(err));
    }
  }

  private emit(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (this.mode === "pass") this.out.pass(bytes);
    else if (this.mode === "hold") this.held.push(bytes.slice());
  }

  /** The current message's fate: its held bytes go out (or not), and so does the rest of it. */
  private decide(keep: boolean): void {
    if (keep) for (const b of this.held) this.out.pass(b);
    this.held = [];
    this.mode = keep ? "pass" : "drop";
  }

  private setFormat(pf: Uint8Array): void {
    const dv = new DataView(pf.buffer, pf.byteOffset, 16);
    this.bytesPerPixel = Math.max(1, dv.getUint8(0) / 8);
    const trueColour24 =
      dv.getUint8(0) === 32 &&
      dv.getUint8(1) === 24 &&
      dv.getUint8(3) === 1 &&
      dv.getUint16(4) === 255 &&
      dv.getUint16(6) === 255 &&
      dv.getUint16(8) === 255;
    this.tightPixel = trueColour24 ? 3 : this.bytesPerPixel;
  }

  private *walk(): Generator<Need, void, Uint8Array> {
    const head = yield { read: 24 };
    this.setFormat(head.subarray(4, 20));
    const nameLength = u32(head, 20);
    const name = yield { read: nameLength };
    this.decide(true);
    this.out.init?.(concat([head, name], 24 + nameLength));
    for (;;) {
      this.mode = "hold";
      const [type = 0] = yield { read: 1 };
      if (type !== 3) this.decide(true);
      switch (type) {
        case 0:
          yield* this.update();
          break;
        case 1: // SetColourMapEntries
          yield { skip: 6 * u16(yield { read: 5 }, 3) };
          break;
        case 2: // Bell
        case 150: // EndOfContinuousUpdates
          break;
        case 3: {
          // ServerCutText; a negative length is the Extended Clipboard form
          const h = yield { read: 7 };
          this.decide(this.clipboard());
          yield { skip: Math.abs(i32(h, 3)) };
          break;
        }
        case 248: // ServerFence
          yield { skip: (yield { read: 8 })[7] ?? 0 };
          break;
        case 250: // xvp
          yield { read: 3 };
          break;
        default:
          throw new Error(`unknown RFB server message type ${type}`);
      }
      this.out.message?.(type);
    }
  }

  private *update(): Generator<Need, void, Uint8Array> {
    const count = u16(yield { read: 3 }, 1);
    for (let i = 0; count === 0xffff || i < count; i++) {
      const r = yield { read: 12 };
      const w = u16(r, 4);
      const h = u16(r, 6);
      const encoding = i32(r, 8);
      if (encoding === -224) return; // LastRect
      yield* this.rect(encoding, w, h);
    }
  }

  private *rect(encoding: number, w: number, h: number): Generator<Need, void, Uint8Array> {
    const bpp = this.bytesPerPixel;
    switch (encoding) {
      case 0:
        yield { skip: w * h * bpp };
        return;
      case 1:
        yield { skip: 4 };
        return;
      case 2:
        yield { skip: u32(yield { read: 4 + bpp }, 0) * (bpp + 8) };
        return;
      case 5:
        yield* this.hextile(w, h);
        return;
      case 6:
      case 16:
        yield { skip: u32(yield { read: 4 }, 0) };
        return;
      case 7:
      case -260:
        yield* this.tight(w, h, encoding === -260);
        return;
      case -239:
        yield { skip: w * h * bpp + Math.ceil(w / 8) * h };
        return;
      case -261:
        yield { skip: 1 };
        return;
      case -307:
        yield { skip: u32(yield { read: 4 }, 0) };
        return;
      case -308:
        yield { skip: 3 + 16 * ((yield { read: 1 })[0] ?? 0) };
        return;
      case -223:
      case -258:
      case -316:
        return;
      default:
        throw new Error(`unknown RFB encoding ${encoding}`);
    }
  }

  private *hextile(w: number, h: number): Generator<Need, void, Uint8Array> {
    const bpp = this.bytesPerPixel;
    for (let ty = 0; ty < h; ty += 16)
      for (let tx = 0; tx < w; tx += 16) {
        const tw = Math.min(16, w - tx);
        const th = Math.min(16, h - ty);
        const [sub = 0] = yield { read: 1 };
        if (sub & 1) {
          yield { skip: tw * th * bpp };
          continue;
        }
        const colours = (sub & 2 ? bpp : 0) + (sub & 4 ? bpp : 0);
        if (colours) yield { skip: colours };
        if (sub & 8) {
          const [n = 0] = yield { read: 1 };
          yield { skip: n * (sub & 16 ? bpp + 2 : 2) };
        }
      }
  }

  private *tight(w: number, h: number, png: boolean): Generator<Need, void, Uint8Array> {
    const ctl = ((yield { read: 1 })[0] ?? 0) >> 4;
    if (ctl === 0x08) {
      yield { skip: this.tightPixel };
      return;
    }
    if (ctl === 0x09 || (png && ctl === 0x0a)) {
      yield { skip: yield* this.compactLength() };
      return;
    }
    if (png || ctl & 0x08) throw new Error(`unknown Tight compression ${ctl}`);
    const filter = ctl & 0x04 ? ((yield { read: 1 })[0] ?? 0) : 0;
    let size = w * h * this.tightPixel;
    if (filter === 1) {
      const colours = ((yield { read: 1 })[0] ?? 0) + 1;
      yield { skip: colours * this.tightPixel };
      size = colours <= 2 ? Math.floor((w + 7) / 8) * h : w * h;
    } else if (filter > 2) throw new Error(`unknown Tight filter ${filter}`);
    if (size === 0) return;
    yield { skip: size < 12 ? size : yield* this.compactLength() };
  }

  private *compactLength(): Generator<Need, number, Uint8Array> {
    let n = 0;
    for (let i = 0; i < 3; i++) {
      const [b = 0] = yield { read: 1 };
      n |= (i < 2 ? b & 0x7f : b) << (7 * i);
      if (i < 2 && !(b & 0x80)) break;
    }
    return n;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const u16 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(at);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at);
const i32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(at);
