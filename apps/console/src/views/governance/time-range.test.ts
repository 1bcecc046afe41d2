import { describe, expect, it } from "vitest";
import { isoOf } from "./time-range.ts";

describe("isoOf", () => {
  it("leaves an empty filter out", () => {
    expect(isoOf("")).toBeUndefined();
  });
  it("refuses what is not a time", () => {
    expect(isoOf("yesterday-ish")).toBeUndefined();
  });
  it("turns a local date-time into the same instant in ISO form", () => {
    const iso = isoOf("2026-12-01T17:20");
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    expect(new Date(iso ?? "").getTime()).toBe(new Date(2026, 11, 1, 17, 20).getTime());
  });
});
