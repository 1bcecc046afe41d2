// The per-agent limits: the telemetry budget, the cut verdicts, the alert bound, the write windows.
import { describe, expect, it } from "vitest";
import {
  ALERTS_PER_MINUTE,
  AlertLimiter,
  CUT_AFTER_DROPPED,
  CUT_AFTER_GARBAGE,
  CUT_AFTER_VIOLATIONS,
  LinkGuard,
  TELEMETRY_BURST,
  TELEMETRY_PER_SECOND,
  TokenBucket,
  VIOLATION_WINDOW_MS,
  writeDue,
} from "./limits";

describe("TokenBucket", () => {
  it("allows a burst, then the sustained rate", () => {
    const b = new TokenBucket(3, 2, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(499)).toBe(false);
    expect(b.take(500)).toBe(true);
    expect(b.take(10_000)).toBe(true);
  });
});

describe("LinkGuard", () => {
  it("a healthy agent (heartbeat + metrics every second, for an hour) is never cut", () => {
    const g = new LinkGuard(0);
    for (let t = 0; t < 3_600_000; t += 500) expect(g.admitTelemetry(t)).toBe(true);
    expect(g.verdict()).toBeNull();
  });

  it("a reconnect flushing a full burst of queued frames is admitted", () => {
    const g = new LinkGuard(0);
    for (let i = 0; i < TELEMETRY_BURST; i++) expect(g.admitTelemetry(1)).toBe(true);
    expect(g.verdict()).toBeNull();
  });

  it("a flood is dropped over the budget and cut past CUT_AFTER_DROPPED", () => {
    const g = new LinkGuard(0);
    let admitted = 0;
    for (let i = 0; i < 10_000 && g.verdict() === null; i++) if (g.admitTelemetry(i / 10)) admitted += 1;
    expect(g.verdict()).toBe("flood");
    expect(g.counters.dropped).toBe(CUT_AFTER_DROPPED + 1);
    expect(admitted).toBeLessThanOrEqual(TELEMETRY_BURST + TELEMETRY_PER_SECOND * 2);
  });

  it("violations cut within the window only", () => {
    const g = new LinkGuard(0);
    for (let i = 0; i < CUT_AFTER_VIOLATIONS - 1; i++) g.violation(i * VIOLATION_WINDOW_MS);
    expect(g.verdict()).toBeNull();
    const h = new LinkGuard(0);
    for (let i = 0; i < CUT_AFTER_VIOLATIONS; i++) h.violation(i);
    expect(h.verdict()).toBe("violations");
  });

  it("garbage is counted across the link, restored from the socket's attachment", () => {
    const g = new LinkGuard(0, { garbage: CUT_AFTER_GARBAGE });
    expect(g.verdict()).toBeNull();
    g.counters.garbage += 1;
    expect(g.verdict()).toBe("garbage");
  });
});

describe("AlertLimiter", () => {
  it("writes ALERTS_PER_MINUTE, then counts the rest into the next written row", () => {
    const l = new AlertLimiter();
    for (let i = 0; i < ALERTS_PER_MINUTE; i++) expect(l.admit(1000)).toBe(0);
    for (let i = 0; i < 100; i++) expect(l.admit(2000)).toBeNull();
    expect(l.admit(61_000)).toBe(100);
    expect(l.admit(61_001)).toBe(0);
  });

  it("a forced alert (the cut-off) is always written", () => {
    const l = new AlertLimiter();
    for (let i = 0; i < ALERTS_PER_MINUTE + 3; i++) l.admit(0);
    expect(l.admit(1, true)).toBe(3);
  });
});

describe("writeDue", () => {
  it("at most one write per window", () => {
    expect(writeDue(0, 9_999, 10_000)).toBe(false);
    expect(writeDue(0, 10_000, 10_000)).toBe(true);
  });
});
