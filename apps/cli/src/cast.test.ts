import { describe, expect, it } from "vitest";
import { frames, parseCast } from "./cast.ts";

const cast = [
  JSON.stringify({ version: 2, width: 80, height: 24 }),
  JSON.stringify([0.5, "o", "$ "]),
  JSON.stringify([0.6, "i", "l"]),
  JSON.stringify([10.5, "o", "ls\r\n"]),
  JSON.stringify([11, "o", "a b\r\n"]),
  "",
].join("\n");

describe("asciicast playback", () => {
  it("keeps output events with the wait before each, skipping input", () => {
    const { header, events } = parseCast(cast);
    expect(header.width).toBe(80);
    expect(frames(events)).toEqual([
      { wait: 0.5, data: "$ " },
      { wait: 10, data: "ls\r\n" },
      { wait: 0.5, data: "a b\r\n" },
    ]);
  });

  it("scales by speed and caps idle time", () => {
    const { events } = parseCast(cast);
    expect(frames(events, { speed: 2, idleLimit: 2 }).map((f) => f.wait)).toEqual([0.25, 1, 0.25]);
  });

  it("refuses another version", () => {
    expect(() => parseCast('{"version":1}\n')).toThrow(/version 1/);
  });
});
