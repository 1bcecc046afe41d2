import { describe, expect, it } from "vitest";
import { parseRdpRecording } from "./rdp-replay.ts";

const header = `${JSON.stringify({ format: "nostromo-rdp", version: 1, width: 120, height: 30 })}\n`;

describe("RDP recording replay", () => {
  it("reads the client's facts and the base64 events, in order", () => {
    const client = { width: 1360, height: 642, channels: ["nocopy", "drdynvc"] };
    const r = parseRdpRecording(
      `${header}[0.1,"MAA="]\n${JSON.stringify([0.2, { client }])}\n[0.3,"AwA="]\n`,
    );
    expect(r).toMatchObject({ width: 1360, height: 642, clipboard: true });
    expect(r.events.map(([t, b]) => [t, [...b]])).toEqual([
      [0.1, [0x30, 0]],
      [0.3, [3, 0]],
    ]);
    const none = parseRdpRecording(
      `${header}${JSON.stringify([0, { client: { ...client, channels: ["drdynvc"] } }])}\n`,
    );
    expect(none.clipboard).toBe(false);
  });

  it("refuses other recordings and one whose client never connected", () => {
    expect(() => parseRdpRecording('{"format":"nostromo-rfb","version":1}\n')).toThrow(
      /not an RDP recording/,
    );
    expect(() => parseRdpRecording(`${header}[0.1,"MAA="]\n`)).toThrow(/never connected/);
  });
});
