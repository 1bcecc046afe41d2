import { describe, expect, it } from "vitest";
import { pct, toSeries } from "./series.ts";

const point = (at: number, cpu: number | null) => ({
  recorded_at: Number.isFinite(at) ? new Date(at).toISOString() : "not a time",
  cpu_load_pct: cpu,
  memory_usage_pct: 50,
  disk_usage_pct: 70,
});

describe("toSeries", () => {
  it("sorts by time, turns milliseconds into seconds and keeps missing figures as gaps", () => {
    expect(toSeries([point(3000, 3), point(1000, null), point(2000, 2)])).toEqual([
      [1, 2, 3],
      [null, 2, 3],
      [50, 50, 50],
      [70, 70, 70],
    ]);
  });
  it("drops samples whose time could not be read", () => {
    expect(toSeries([point(Number.NaN, 1), point(1000, 2)])[0]).toEqual([1]);
  });
});

describe("pct", () => {
  it("rounds, and shows a dash for nothing reported", () => {
    expect(pct(41.6)).toBe("42 %");
    expect(pct(null)).toBe("—");
  });
});
