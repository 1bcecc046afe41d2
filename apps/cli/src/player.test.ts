// The replay loop under fake timers: real pace, pause stops the clock, skip ends a wait (and steps one
// frame while paused), several keys in one chunk each count, quit stops at once.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { keysOf, Player } from "./player.ts";

function setup(waits: number[]) {
  const written: string[] = [];
  const status: string[] = [];
  const p = new Player(
    waits.map((wait, i) => ({ wait, data: `f${i}` })),
    { write: (d) => written.push(d), status: (s) => status.push(s) },
  );
  const done = p.run();
  return { p, written, status, done };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Player", () => {
  it("writes each frame after its wait", async () => {
    const { written, done } = setup([1, 2]);
    await vi.advanceTimersByTimeAsync(999);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual(["f0"]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(written).toEqual(["f0", "f1"]);
    await done;
  });

  it("pause stops the clock; resume goes on with the time that was left", async () => {
    const { p, written, status, done } = setup([0, 10]);
    await vi.advanceTimersByTimeAsync(4000);
    p.key("pause");
    expect(status.at(-1)).toBe("nostromo play ❚❚ 1/2");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(written).toEqual(["f0"]);
    p.key("pause");
    await vi.advanceTimersByTimeAsync(5999);
    expect(written).toEqual(["f0"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual(["f0", "f1"]);
    await done;
  });

  it("skip ends a wait; while paused it steps exactly one frame", async () => {
    const { p, written, status, done } = setup([100, 100, 100]);
    p.key("skip");
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual(["f0"]);
    p.key("pause");
    p.key("skip");
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(written).toEqual(["f0", "f1"]);
    expect(status.at(-1)).toBe("nostromo play ❚❚ 2/3");
    p.key("quit");
    await done;
    expect(written).toEqual(["f0", "f1"]);
  });

  it("each key of a chunk counts", async () => {
    const { p, written, done } = setup([100, 100, 100, 100]);
    for (const k of keysOf("nn\x1b[C")) p.key(k);
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual(["f0", "f1", "f2"]);
    p.key("quit");
    await done;
  });

  it("a frame with no wait does not use a skip; a wait past setTimeout's range is not cut short", async () => {
    const { p, written, done } = setup([5, 0, 0, 3e9]);
    p.key("skip");
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual(["f0", "f1", "f2"]);
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(written).toEqual(["f0", "f1", "f2"]);
    p.key("quit");
    await done;
  });
});

describe("keysOf", () => {
  it("reads the player's keys in order and ignores the rest", () => {
    expect(keysOf(" nx\x1b[Cq\x03")).toEqual(["pause", "skip", "skip", "quit", "quit"]);
  });
});
