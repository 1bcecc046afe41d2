// Reconnect delays: exponential with full jitter ("AWS architecture blog" style), so a fleet of agents
// that lost the edge at the same moment does not come back in lock-step.
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A connection that stayed up longer than this proves the edge is healthy: start over at baseMs. */
  resetAfterMs: number;
}

export const LINK_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000, resetAfterMs: 30_000 };

/** Delay before retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

export class Backoff {
  #attempt = 0;
  #connectedAt: number | null = null;

  constructor(
    readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  get attempt(): number {
    return this.#attempt;
  }

  /** The delay to wait before the next attempt; each call counts one more failure. */
  next(): number {
    const delay = backoffDelay(this.#attempt, this.options, this.random);
    this.#attempt += 1;
    return delay;
  }

  /**
   * For a refusal that retrying soon cannot fix (HTTP 401/403): wait between half the cap and the cap.
   * Jittered but never near zero, so a revoked fleet does not hammer the edge.
   */
  capped(): number {
    this.#attempt += 1;
    return Math.floor(this.options.capMs / 2 + (this.random() * this.options.capMs) / 2);
  }

  connected(): void {
    this.#connectedAt = this.now();
  }

  /** Call when an established connection ends; resets only if it had stayed up long enough. */
  disconnected(): void {
    if (this.#connectedAt !== null && this.now() - this.#connectedAt > this.options.resetAfterMs)
      this.#attempt = 0;
    this.#connectedAt = null;
  }

  reset(): void {
    this.#attempt = 0;
    this.#connectedAt = null;
  }
}
