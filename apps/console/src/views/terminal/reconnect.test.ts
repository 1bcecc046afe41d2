import { describe, expect, it } from "vitest";
import { RETRIES, retryDelay, shouldRetry } from "./reconnect.ts";

describe("reconnecting the terminal", () => {
  it("backs off from half a second to a cap, with jitter either side", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(retryDelay(1, () => 0)).toBe(400);
    expect(retryDelay(5, () => 0.999)).toBeLessThanOrEqual(9600);
  });

  it("retries a blip a bounded number of times, never a deliberate close or an ended session", () => {
    expect(shouldRetry(1006, 0, false)).toBe(true);
    expect(shouldRetry(1005, RETRIES - 1, false)).toBe(true);
    expect(shouldRetry(1006, RETRIES, false)).toBe(false);
    expect(shouldRetry(4001, 0, false)).toBe(false);
    expect(shouldRetry(1008, 0, false)).toBe(false);
    expect(shouldRetry(1000, 0, false)).toBe(false);
    expect(shouldRetry(1006, 0, true)).toBe(false);
  });
});
