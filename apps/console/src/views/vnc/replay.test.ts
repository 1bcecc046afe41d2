import { describe, expect, it } from "vitest";
import { MAX_GAP_S, schedule } from "../player/recorded-stream.ts";
import { parseRecording } from "./replay.ts";

describe("VNC recording replay", () => {
  it("reads the header and the base64 events", () => {
    const text = `${JSON.stringify({ format: "nostromo-rfb", version: 1, width: 640, height: 400 })}\n[0.5,"AAEC"]\n[1.25,"/w=="]\n`;
    const r = parseRecording(text);
    expect(r.width).toBe(640);
    expect(r.events.map(([t, b]) => [t, [...b]])).toEqual([
      [0.5, [0, 1, 2]],
      [1.25, [255]],
    ]);
  });

  it("refuses an asciicast", () => {
    expect(() => parseRecording('{"version":2,"width":80,"height":24}\n')).toThrow(/not a VNC recording/);
  });

  it("plays from the first event and shortens long pauses", () => {
    expect(schedule([3, 3.5, 60, 60.25])).toEqual([0, 0.5, 0.5 + MAX_GAP_S, 0.75 + MAX_GAP_S]);
  });
});
