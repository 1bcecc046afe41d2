// Reconnect backoff: exponential ceiling, full jitter within it, the 30 s cap, and the reset rule.
import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay, LINK_BACKOFF } from "../../containers/agent/src/backoff";

describe("backoffDelay", () => {
  it("grows as base·2^attempt until the cap", () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, LINK_BACKOFF, top))).toEqual([
      499, 999, 1999, 3999, 7999, 15999, 29999, 29999,
    ]);
    expect(backoffDelay(1000, LINK_BACKOFF, top)).toBe(29999);
  });

  it("is uniformly jittered from zero (full jitter)", () => {
    expect(backoffDelay(3, LINK_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(3, LINK_BACKOFF, () => 0.5)).toBe(2000);
    const samples = Array.from({ length: 2000 }, () => backoffDelay(4, LINK_BACKOFF));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(8000);
    // Spread over the whole range, not clustered: both quarters at the ends are hit.
    expect(samples.some((s) => s < 2000)).toBe(true);
    expect(samples.some((s) => s > 6000)).toBe(true);
  });
});

describe("Backoff", () => {
  it("counts failures and resets only after a connection that stayed up over 30 s", () => {
    let now = 0;
    const backoff = new Backoff(
      LINK_BACKOFF,
      () => 0.999999,
      () => now,
    );
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([499, 999, 1999]);

    backoff.connected();
    now += 10_000;
    backoff.disconnected();
    expect(backoff.next()).toBe(3999); // a flapping connection keeps growing

    backoff.connected();
    now += 30_001;
    backoff.disconnected();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(499);
  });

  it("waits between half the cap and the cap after a refusal", () => {
    expect(new Backoff(LINK_BACKOFF, () => 0).capped()).toBe(15_000);
    expect(new Backoff(LINK_BACKOFF, () => 0.999999).capped()).toBe(29_999);
  });
});
