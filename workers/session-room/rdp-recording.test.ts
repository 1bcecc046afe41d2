import { describe, expect, it } from "vitest";
import { UpdateCounter } from "./rdp-recording.ts";

const tpkt = (n: number) => [3, 0, n >> 8, n & 0xff, ...Array(n - 4).fill(7)];
const fastPath = (n: number) =>
  n < 0x80 ? [0, n, ...Array(n - 2).fill(9)] : [0, 0x80 | (n >> 8), n & 0xff, ...Array(n - 3).fill(9)];

describe("UpdateCounter", () => {
  it("counts fast-path PDUs after the RDCleanPath response, whatever the frame boundaries", () => {
    const stream = Uint8Array.from([
      ...tpkt(20),
      ...fastPath(10),
      ...fastPath(300),
      ...tpkt(6),
      ...fastPath(2),
    ]);
    for (const cut of [1, 2, 3, 7, 64, stream.length]) {
      const c = new UpdateCounter();
      c.push(Uint8Array.from([0x30, 3, 1, 2, 3])); // the RDCleanPath response: not RDP
      for (let i = 0; i < stream.length; i += cut) c.push(stream.subarray(i, i + cut));
      expect(c.updates, `cut ${cut}`).toBe(3);
    }
  });

  it("stops counting at bytes that are not an RDP PDU", () => {
    const c = new UpdateCounter();
    c.push(Uint8Array.of(0x30, 0));
    c.push(Uint8Array.from([...fastPath(4), 0xff, ...fastPath(4)]));
    expect(c.updates).toBe(1);
  });
});
