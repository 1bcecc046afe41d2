import { describe, expect, it } from "vitest";
import { eventLine, headerLine, parseCast } from "./asciicast.ts";

describe("asciicast v2", () => {
  it("round-trips a header and events, escaping terminal bytes", () => {
    const text =
      headerLine({ width: 80, height: 24, timestamp: 1_700_000_000 }) +
      eventLine(0.1234567, "o", "hi \u001b[31mred\u001b[0m\r\n") +
      eventLine(1.5, "r", "100x30");
    const { header, events } = parseCast(text);
    expect(header).toEqual({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000 });
    expect(events).toEqual([
      [0.123457, "o", "hi \u001b[31mred\u001b[0m\r\n"],
      [1.5, "r", "100x30"],
    ]);
  });

  it("refuses other versions", () => {
    expect(() => parseCast('{"version":1}\n')).toThrow();
  });
});
