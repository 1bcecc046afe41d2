import { describe, expect, it } from "vitest";
import { age, bytes, shortAgent } from "./format.ts";

describe("format", () => {
  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(age("2026-01-01T11:59:50Z", now)).toBe("10 s");
    expect(age("2026-01-01T11:55:00Z", now)).toBe("5 min");
    expect(age("2026-01-01T09:30:00Z", now)).toBe("2 h 30 min");
    expect(age("2025-12-29T12:00:00Z", now)).toBe("3 d");
    expect(age("not a date", now)).toBe("—");
  });

  it("says a byte count in B, kB and MB", () => {
    expect(bytes(0)).toBe("0 B");
    expect(bytes(1023)).toBe("1023 B");
    expect(bytes(1536)).toBe("1.5 kB");
    expect(bytes(3 * 1048576)).toBe("3.0 MB");
  });

  it("shortens a user agent", () => {
    const chrome =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    expect(shortAgent(chrome)).toBe("Chrome 156 · Linux");
    expect(shortAgent("curl/8.5.0")).toBe("curl 8");
    expect(shortAgent("")).toBe("—");
  });
});
