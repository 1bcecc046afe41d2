import { describe, expect, it } from "vitest";
import { ReplayBuffer } from "./replay-buffer";

const text = (r: { chunks: Buffer[] }) => Buffer.concat(r.chunks).toString();

describe("ReplayBuffer", () => {
  it("answers what was sent after an offset, mid-chunk too", () => {
    const b = new ReplayBuffer(100);
    b.push(Buffer.from("abc"));
    b.push(Buffer.from("defg"));
    expect(b.end).toBe(7);
    expect(text(b.since(0))).toBe("abcdefg");
    expect(text(b.since(2))).toBe("cdefg");
    expect(text(b.since(3))).toBe("defg");
    expect(b.since(7)).toEqual({ chunks: [], lost: 0 });
    expect(b.since(9)).toEqual({ chunks: [], lost: 0 });
  });

  it("keeps at most its limit, oldest chunks first, and says how much is gone", () => {
    const b = new ReplayBuffer(5);
    b.push(Buffer.from("abc"));
    b.push(Buffer.from("def"));
    b.push(Buffer.from("gh"));
    const r = b.since(1);
    expect(text(r)).toBe("defgh");
    expect(r.lost).toBe(2);
    expect(b.end).toBe(8);
  });
});
