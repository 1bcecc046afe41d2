import { afterEach, describe, expect, it, vi } from "vitest";
import { PACE_MS, RecordedPicture } from "./rfb-picture.ts";

const serverInit = new Uint8Array([
  2, 128, 1, 144, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 1, 120,
]);
/** A FramebufferUpdate of one Tight fill rectangle. */
const update = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0, 8, 0, 0, 0, 7, 0x80, 1, 2, 3]);
const cut = new Uint8Array([3, 0, 0, 0, 0, 0, 0, 2, 104, 105]);

function harness() {
  const sent: number[][] = [];
  const pictures: { bytes: number[]; first: boolean }[] = [];
  let frames = 0;
  const p = new RecordedPicture(9, {
    toServer: (b) => sent.push([...b]),
    picture: (b, first) => pictures.push({ bytes: [...b], first }),
    frame: () => {
      frames += 1;
    },
    failed: (r) => expect.fail(r),
  });
  return { p, sent, pictures, frames: () => frames };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RecordedPicture", () => {
  it("plays noVNC's client: ClientInit, its pixel format, walkable encodings, a full update request", () => {
    const h = harness();
    h.p.opened();
    expect(h.sent).toEqual([[1]]);
    h.p.push(serverInit);
    expect(h.pictures[0]).toEqual({ bytes: [...serverInit.subarray(0, 24)], first: true });
    expect(h.sent[1]).toEqual([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    expect(h.sent[2]?.[0]).toBe(2);
    expect(h.sent[3]).toEqual([3, 0, 0, 0, 0, 0, 2, 128, 1, 144]);
  });

  it("records updates but never the desktop's clipboard, and asks for the next update after PACE_MS", () => {
    vi.useFakeTimers();
    const h = harness();
    h.p.opened();
    h.p.push(serverInit);
    h.pictures.length = 0;
    h.sent.length = 0;
    h.p.push(new Uint8Array([...cut, ...update]));
    expect(h.pictures.flatMap((p) => p.bytes)).toEqual([...update]);
    expect(h.frames()).toBe(1);
    expect(h.sent).toEqual([]);
    vi.advanceTimersByTime(PACE_MS);
    expect(h.sent).toEqual([[3, 1, 0, 0, 0, 0, 2, 128, 1, 144]]);
    h.p.close();
    h.p.push(update);
    vi.advanceTimersByTime(PACE_MS);
    expect(h.sent).toHaveLength(1);
  });
});
