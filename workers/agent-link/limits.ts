// What one agent may cost the edge, and when it is cut off. Pure (no I/O, clock passed in) so the rules
// have fast unit tests; the AgentLink object holds one LinkGuard per connected link.
//
// Two kinds of frames, two kinds of bound:
// - answers (session.opened/failed/closed, exec.result/failed, exec.output) are bounded by what the edge
//   asked: each must match a request outstanding for this agent (requests.ts; exec.output one that asked for
//   a stream, whose output is capped at EXEC_STREAM_MAX_BYTES). One that matches nothing is refused (a
//   violation);
// - telemetry (hello, heartbeat, metrics, error, frames of unknown types) is what an agent can send at will:
//   a token bucket bounds it, and database writes are coalesced further (see AgentLink).
// Malformed frames are garbage. Each kind has its own threshold; past it the link is cut (1008), the agent
// refused for QUARANTINE_MS, and its tenant alerted. Nothing here affects any other agent or tenant.

/** Telemetry frames an agent may send in a burst, and per second after it. A healthy agent sends ~2/s at
 * most (heartbeat and metrics intervals are ≥ 1 s); a reconnect may flush a queue of `error` frames. */
export const TELEMETRY_BURST = 120;
export const TELEMETRY_PER_SECOND = 10;
/** Telemetry frames dropped over the budget before the link is cut: a flood, not a burst. */
export const CUT_AFTER_DROPPED = 1_000;
/** Frames refused because they are about something this agent was not asked to do, within
 * VIOLATION_WINDOW_MS (a window, so that a rare benign duplicate over weeks never adds up to a cut). */
export const CUT_AFTER_VIOLATIONS = 10;
export const VIOLATION_WINDOW_MS = 10 * 60_000;
/** Malformed frames (not JSON, wrong shape for a known type, binary on the control link). */
export const CUT_AFTER_GARBAGE = 20;
/** How long a cut-off agent's new links are refused (403). */
export const QUARANTINE_MS = 60_000;
/** Database writes per agent: heartbeats at most every HEARTBEAT_WRITE_MS (later ones in the window are
 * dropped: a heartbeat carries nothing but "alive"), metrics at most every METRICS_WRITE_MS (the latest
 * sample in the window is written at its end: coalesced). */
export const HEARTBEAT_WRITE_MS = 10_000;
export const METRICS_WRITE_MS = 5_000;
/** monitoring.error_log rows per agent per minute from `error` frames; the rest counted into the next. */
export const ERROR_ROWS_PER_MINUTE = 30;
/** security.alert audit rows per agent per minute; the rest are counted into the next row. */
export const ALERTS_PER_MINUTE = 5;

export type CutReason = "violations" | "garbage" | "flood" | "oversized";

/** Classic token bucket: `take()` is false when the budget is spent. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface LinkCounters {
  garbage: number;
  violations: number;
  dropped: number;
  unknown: number;
}

/** Per-link accounting; each `record*` answers whether the link must now be cut. */
export class LinkGuard {
  readonly counters: LinkCounters = { garbage: 0, violations: 0, dropped: 0, unknown: 0 };
  private readonly bucket: TokenBucket;
  private recentViolations: number[] = [];

  constructor(now: number, counters?: Partial<LinkCounters>) {
    this.bucket = new TokenBucket(TELEMETRY_BURST, TELEMETRY_PER_SECOND, now);
    Object.assign(this.counters, counters);
  }

  /** A telemetry frame arrived: true when it is within the budget (process it), false to drop it. */
  admitTelemetry(now: number): boolean {
    if (this.bucket.take(now)) return true;
    this.counters.dropped += 1;
    return false;
  }

  /** A frame about something this agent was not asked to do. */
  violation(now: number): void {
    this.counters.violations += 1;
    this.recentViolations = this.recentViolations.filter((t) => now - t < VIOLATION_WINDOW_MS);
    this.recentViolations.push(now);
  }

  /** Why the link must be cut now, or null. */
  verdict(): CutReason | null {
    if (this.recentViolations.length >= CUT_AFTER_VIOLATIONS) return "violations";
    if (this.counters.garbage > CUT_AFTER_GARBAGE) return "garbage";
    if (this.counters.dropped > CUT_AFTER_DROPPED) return "flood";
    return null;
  }
}

/** Bounds the audit rows one agent can cause: ALERTS_PER_MINUTE, the rest counted into the next one. */
export class AlertLimiter {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  /** null: suppress this alert; a number: write it, noting how many were suppressed before it. */
  admit(now: number, force = false): number | null {
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (!force && this.inWindow >= ALERTS_PER_MINUTE) {
      this.suppressed += 1;
      return null;
    }
    this.inWindow += 1;
    const before = this.suppressed;
    this.suppressed = 0;
    return before;
  }
}

/** Whether a write is due: at most one per `everyMs`. */
export function writeDue(lastWriteAt: number, now: number, everyMs: number): boolean {
  return now - lastWriteAt >= everyMs;
}
