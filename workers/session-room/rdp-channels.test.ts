import { describe, expect, it } from "vitest";
import { connectInitialFacts, derLength, RENAMED_CHANNEL, renameStaticChannel } from "./rdp-channels.ts";

const le16 = (v: number) => [v & 0xff, v >> 8];
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
const ber = (tag: number[], value: number[]) => {
  const n = value.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [...tag, ...len, ...value];
};
const per = (n: number) => (n < 0x80 ? [n] : [0x80 | (n >> 8), n & 0xff]);
const name8 = (s: string) => [...s].map((c) => c.charCodeAt(0)).concat(Array(8 - s.length).fill(0));

/** An MCS Connect Initial as MS-RDPBCGR 2.2.1.3 lays it out (the shape IronRDP and mstsc send). */
function connectInitial(channels: string[], size = { width: 1024, height: 768 }): Uint8Array {
  const core = [...le16(0xc001), ...le16(12), 4, 0, 8, 0, ...le16(size.width), ...le16(size.height)];
  const net = [...le32(channels.length), ...channels.flatMap((c) => [...name8(c), ...le32(0x80000000)])];
  const blocks = [...core, ...le16(0xc003), ...le16(4 + net.length), ...net];
  const afterKey = [
    0x00,
    0x08,
    0x00,
    0x10,
    0x00,
    0x01,
    0xc0,
    0x00,
    0x44,
    0x75,
    0x63,
    0x61,
    ...per(blocks.length),
  ];
  const gcc = [
    0x00,
    0x05,
    0x00,
    0x14,
    0x7c,
    0x00,
    0x01,
    ...per(afterKey.length + blocks.length),
    ...afterKey,
    ...blocks,
  ];
  const params = ber([0x30], [...ber([0x02], [0x22]), ...ber([0x02], [0x02])]);
  const mcs = ber(
    [0x7f, 0x65],
    [
      ...ber([0x04], [1]),
      ...ber([0x04], [1]),
      ...ber([0x01], [0xff]),
      ...params,
      ...params,
      ...params,
      ...ber([0x04], gcc),
    ],
  );
  const x224 = [2, 0xf0, 0x80, ...mcs];
  return Uint8Array.from([3, 0, (4 + x224.length) >> 8, (4 + x224.length) & 0xff, ...x224]);
}

const channelNames = (pdu: Uint8Array, count: number) => {
  const text = new TextDecoder("latin1").decode(pdu);
  const at = text.lastIndexOf("\x03\xc0");
  return Array.from({ length: count }, (_, k) => text.slice(at + 8 + k * 12, at + 16 + k * 12));
};

describe("renameStaticChannel", () => {
  it("renames the clipboard channel in place and keeps the others and every length", () => {
    const pdu = connectInitial(["rdpdr", "cliprdr", "drdynvc"]);
    const before = pdu.length;
    expect(renameStaticChannel(pdu, "cliprdr")).toEqual({ ok: true, renamed: 1 });
    expect(pdu.length).toBe(before);
    expect(channelNames(pdu, 3)).toEqual(["rdpdr\0\0\0", RENAMED_CHANNEL, "drdynvc\0"]);
  });

  it("matches the name whatever its case, and leaves a list without it alone", () => {
    const upper = connectInitial(["CLIPRDR"]);
    expect(renameStaticChannel(upper, "cliprdr")).toEqual({ ok: true, renamed: 1 });
    const none = connectInitial(["rdpdr"]);
    const copy = Uint8Array.from(none);
    expect(renameStaticChannel(none, "cliprdr")).toEqual({ ok: true, renamed: 0 });
    expect(none).toEqual(copy);
  });

  it("refuses what it cannot read whole: a split PDU, bytes after it, another PDU", () => {
    const pdu = connectInitial(["cliprdr"]);
    expect(renameStaticChannel(pdu.subarray(0, pdu.length - 5), "cliprdr").ok).toBe(false);
    const longer = new Uint8Array(pdu.length + 4);
    longer.set(pdu);
    expect(renameStaticChannel(longer, "cliprdr").ok).toBe(false);
    const other = Uint8Array.from(pdu);
    other[7] = 0x30;
    expect(renameStaticChannel(other, "cliprdr").ok).toBe(false);
    expect(renameStaticChannel(Uint8Array.from([3, 0, 0, 4]), "cliprdr").ok).toBe(false);
  });
});

describe("connectInitialFacts", () => {
  it("reads the desktop size the client asks for and its channels, in order", () => {
    const pdu = connectInitial(["rdpdr", "CLIPRDR", "drdynvc"], { width: 1360, height: 642 });
    expect(connectInitialFacts(pdu)).toEqual({
      width: 1360,
      height: 642,
      channels: ["rdpdr", "cliprdr", "drdynvc"],
    });
    expect(connectInitialFacts(connectInitial([]))).toEqual({ width: 1024, height: 768, channels: [] });
  });

  it("is null for what is not one whole Connect Initial", () => {
    const pdu = connectInitial(["cliprdr"]);
    expect(connectInitialFacts(pdu.subarray(0, pdu.length - 1))).toBeNull();
    expect(connectInitialFacts(Uint8Array.from([3, 0, 0, 4]))).toBeNull();
  });
});

describe("derLength", () => {
  it("reads short and long DER lengths, and nothing else", () => {
    expect(derLength(Uint8Array.from([0x30, 3, 1, 2, 3]))).toBe(5);
    expect(derLength(Uint8Array.from([0x30, 0x82, 1, 0]))).toBe(260);
    expect(derLength(Uint8Array.from([3, 0, 0, 4]))).toBeNull();
    expect(derLength(Uint8Array.from([0x30]))).toBeNull();
  });
});
