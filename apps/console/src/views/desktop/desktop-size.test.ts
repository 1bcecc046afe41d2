import { describe, expect, it } from "vitest";
import { desktopSizeFor, fitInside } from "./desktop-size.ts";

describe("desktopSizeFor", () => {
  it("asks for a width that is a multiple of 8 and an even height", () => {
    for (const width of [1366, 1001, 1306, 941, 1283]) {
      const s = desktopSizeFor({ width, height: 577 });
      expect(s.width % 8).toBe(0);
      expect(s.width).toBeLessThanOrEqual(width);
      expect(width - s.width).toBeLessThan(8);
      expect(s.height).toBe(576);
    }
  });

  it("keeps at least 640×480 and at most 8192 a side", () => {
    expect(desktopSizeFor({ width: 350, height: 300 })).toEqual({ width: 640, height: 480 });
    expect(desktopSizeFor({ width: 20_000, height: 9000 })).toEqual({ width: 8192, height: 8192 });
  });
});

describe("fitInside", () => {
  it("scales the screen to the area with its aspect kept", () => {
    expect(fitInside({ width: 1000, height: 1000 }, { width: 800, height: 600 })).toEqual({
      width: 1000,
      height: 750,
    });
    expect(fitInside({ width: 390, height: 600 }, { width: 640, height: 480 })).toEqual({
      width: 390,
      height: 292,
    });
    expect(fitInside({ width: 390, height: 600 }, { width: 0, height: 0 })).toEqual({ width: 0, height: 0 });
  });
});
