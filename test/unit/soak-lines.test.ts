// The numbered-line checks behind the fault suite and the soak run, and the soak's summary statistics.
import { describe, expect, it } from "vitest";
import { summarise } from "../../bench/proc-stats.ts";
import { checkLines, gapsOf, numberedLines } from "../../bench/soak-lines.ts";

describe("numbered lines", () => {
  it("reads complete lines only, through carriage returns and CSI sequences", () => {
    const text = "3\r\nL4\r\n\u001b[?2004l\rL5\r\nM1\r\nL6\r\nL7";
    expect(numberedLines(text)).toEqual([4, 5, 6]);
    expect(numberedLines(text, "M")).toEqual([1]);
  });

  it("counts what is missing and what went backwards", () => {
    expect(checkLines([1, 2, 3])).toEqual({ missing: 0, disorder: 0 });
    expect(checkLines([1, 4, 5, 5, 2])).toEqual({ missing: 2, disorder: 2 });
    expect(gapsOf([1, 4, 6])).toEqual([2, 3, 5]);
  });
});

describe("soak summary", () => {
  it("averages the baseline minutes and fits a slope per hour after them", () => {
    const s = summarise({ t: [0, 1, 2, 3, 4], v: [10, 12, 20, 21, 22] }, 1);
    expect(s.start).toBe(11);
    expect(s.end).toBe(22);
    expect(s.max).toBe(22);
    expect(s.slopePerHour).toBeCloseTo(3.1 * 60, 6); // least squares over (1,12) (2,20) (3,21) (4,22)
  });
});
