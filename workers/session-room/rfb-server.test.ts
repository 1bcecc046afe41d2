import { describe, expect, it } from "vitest";
import { allowedEncodings, EXTENDED_CLIPBOARD, RfbServerStream } from "./rfb-server.ts";

const bytes = (...n: number[]) => new Uint8Array(n);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};
const u16 = (n: number) => bytes(n >> 8, n & 255);
const i32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
};
const fill = (n: number, v = 7) => new Uint8Array(n).fill(v);

/** ServerInit: 640x400, 32 bpp depth 24 true colour (what noVNC asks for), named "x". */
const serverInit = cat(
  u16(640),
  u16(400),
  bytes(32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0),
  i32(1),
  new TextEncoder().encode("x"),
);
const rect = (x: number, y: number, w: number, h: number, encoding: number) =>
  cat(u16(x), u16(y), u16(w), u16(h), i32(encoding));
const update = (...rects: Uint8Array[]) => cat(bytes(0, 0), u16(rects.length), ...rects);

const raw = cat(rect(0, 0, 2, 2, 0), fill(2 * 2 * 4));
const copy = cat(rect(4, 4, 8, 8, 1), u16(0), u16(0));
const rre = cat(rect(0, 0, 8, 8, 2), i32(2), fill(4), fill(2 * (4 + 8)));
// Hextile 20x17: four tiles — raw, background+foreground with 2 plain subrects, coloured subrects, nothing.
const hextile = cat(
  rect(0, 0, 20, 17, 5),
  bytes(1),
  fill(16 * 16 * 4),
  bytes(2 | 4 | 8, ...fill(8), 2, ...fill(4)),
  bytes(8 | 16, 1, ...fill(6)),
  bytes(0),
);
const zrle = cat(rect(0, 0, 64, 64, 16), i32(5), fill(5));
const tightFill = cat(rect(0, 0, 64, 64, 7), bytes(0x80), fill(3));
const tightJpeg = cat(rect(0, 0, 64, 64, 7), bytes(0x90), bytes(0x80 | 0x2c, 0x01), fill(0xac));
// Palette of 2 colours over 8x1: 1 byte per row, under 12 bytes, so sent uncompressed.
const tightPaletteSmall = cat(rect(0, 0, 8, 1, 7), bytes(0x40, 1, 1), fill(6), bytes(0xaa));
const tightCopy = cat(rect(0, 0, 16, 16, 7), bytes(0x01), bytes(0x0a), fill(10));
const cursor = cat(rect(0, 0, 9, 2, -239), fill(9 * 2 * 4 + 2 * 2));
const desktopName = cat(rect(0, 0, 0, 0, -307), i32(3), fill(3));
const extendedSize = cat(rect(0, 0, 640, 400, -308), bytes(1, 0, 0, 0), fill(16));
const cutText = cat(bytes(3, 0, 0, 0), i32(5), new TextEncoder().encode("hello"));
const extendedCut = cat(bytes(3, 0, 0, 0), i32(-8), fill(8));
const bell = bytes(2);
const colourMap = cat(bytes(1, 0), u16(0), u16(2), fill(12));
const fence = cat(bytes(248, 0, 0, 0), i32(0), bytes(2, 1, 2));

function read(stream: Uint8Array[], clipboard: boolean, byteByByte = false) {
  const passed: number[] = [];
  const messages: number[] = [];
  let failed: string | null = null;
  let init: Uint8Array | null = null;
  const s = new RfbServerStream(
    {
      pass: (b) => passed.push(...b),
      init: (b) => {
        init = b;
      },
      message: (t) => messages.push(t),
      failed: (r) => {
        failed = r;
      },
    },
    () => clipboard,
  );
  const all = cat(...stream);
  if (byteByByte) for (const b of all) s.push(bytes(b));
  else for (const part of stream) s.push(part);
  return { passed: new Uint8Array(passed), messages, failed: failed as string | null, init };
}

const everything = [
  serverInit,
  update(raw, copy, rre, hextile, zrle),
  cutText,
  update(tightFill, tightJpeg, tightPaletteSmall, tightCopy),
  bell,
  update(cursor, desktopName, extendedSize),
  extendedCut,
  colourMap,
  fence,
  cat(bytes(0, 0, 0xff, 0xff), tightFill, rect(0, 0, 0, 0, -224)),
];

describe("RfbServerStream", () => {
  it("relays every message untouched while clipboard transfer is on, whatever the chunking", () => {
    for (const byteByByte of [false, true]) {
      const r = read(everything, true, byteByByte);
      expect(r.failed).toBeNull();
      expect(r.passed).toEqual(cat(...everything));
      expect(r.messages).toEqual([0, 3, 0, 2, 0, 3, 1, 248, 0]);
      expect(r.init).toEqual(serverInit);
    }
  });

  it("drops ServerCutText, plain and extended, and nothing else, when clipboard transfer is off", () => {
    const without = everything.filter((m) => m !== cutText && m !== extendedCut);
    for (const byteByByte of [false, true]) {
      const r = read(everything, false, byteByByte);
      expect(r.failed).toBeNull();
      expect(r.passed).toEqual(cat(...without));
    }
  });

  it("reads 8-bit pixels after the browser sets that format", () => {
    const passed: number[] = [];
    const t = new RfbServerStream(
      { pass: (b) => passed.push(...b), failed: (r) => expect.fail(r) },
      () => true,
    );
    t.push(serverInit);
    t.pixelFormat(cat(bytes(0, 0, 0, 0), bytes(8, 8, 0, 1, 0, 7, 0, 7, 0, 3, 0, 3, 6, 0, 0, 0)));
    const small = update(cat(rect(0, 0, 4, 4, 0), fill(16)), cat(rect(0, 0, 8, 8, 7), bytes(0x80), fill(1)));
    t.push(cat(small, bell));
    expect(new Uint8Array(passed)).toEqual(cat(serverInit, small, bell));
  });

  it("ends the stream on an unknown message type or encoding", () => {
    expect(read([serverInit, bytes(77)], true).failed).toBe("unknown RFB server message type 77");
    expect(read([serverInit, update(cat(rect(0, 0, 1, 1, 50), fill(8)))], true).failed).toBe(
      "unknown RFB encoding 50",
    );
  });
});

describe("allowedEncodings", () => {
  const noVnc = [
    1, 50, 7, -260, 16, 21, 5, 2, 6, 0, -26, -254, -223, -224, -258, -261, -308, -309, -312, -313,
  ];
  const tail = [-307, EXTENDED_CLIPBOARD, -316, 0x574d5664, -239];
  const msg = (list: number[]) => cat(bytes(2, 0), u16(list.length), ...list.map(i32));

  it("keeps what the room can walk, in the browser's order, without H.264, JPEG and the VMware cursor", () => {
    const kept = [1, 7, -260, 16, 5, 2, 6, 0, -26, -254, -223, -224, -258, -261, -308, -309, -312, -313];
    expect(allowedEncodings(msg([...noVnc, ...tail]), true)).toEqual(
      msg([...kept, -307, EXTENDED_CLIPBOARD, -316, -239]),
    );
    expect(allowedEncodings(msg([...noVnc, ...tail]), false)).toEqual(msg([...kept, -307, -316, -239]));
  });
});
