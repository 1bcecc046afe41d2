// How long the target takes to echo what it is sent, learnt per session: the command tracker waits for an
// echo no longer than echoes take here (a password prompt never echoes; waiting the worst case there was
// 1.5 s per Enter), and reads a line only once the screen has caught up with what was forwarded.
const SAMPLES = 21;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EchoClock {
  lastForwardAt = 0;
  private probeAt = 0;
  /** Input was forwarded but is held back before the shell (the execution guard's verdict is owed): no
   * echo can come until it is sent, so a read must wait for that first. */
  private holding = false;
  private readonly samples: number[] = [];

  constructor(
    private readonly lastOutputAt: () => number,
    private readonly maxWaitMs: number,
    private readonly quietMs: number,
  ) {}

  held(): void {
    this.holding = true;
  }

  forwarded(): void {
    this.holding = false;
    this.lastForwardAt = Date.now();
    if (!this.probeAt) this.probeAt = this.lastForwardAt;
  }

  /** Output arrived: the first output after a forward is that forward's echo time. */
  output(): void {
    if (!this.probeAt) return;
    const rtt = Date.now() - this.probeAt;
    this.probeAt = 0;
    if (rtt >= this.maxWaitMs) return;
    this.samples.push(rtt);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** Four times the median echo time seen, within [25 ms, maxWaitMs] (60 ms before anything was seen). */
  budget(): number {
    const s = [...this.samples].sort((a, b) => a - b);
    const median = s[Math.floor(s.length / 2)] ?? 60;
    return Math.min(this.maxWaitMs, Math.max(25, median * 4));
  }

  /** Held input has been sent (at most maxWaitMs). */
  private async untilSent(): Promise<void> {
    const start = Date.now();
    while (this.holding && Date.now() - start < this.maxWaitMs) await sleep(2);
  }

  /** Waits for output after the last forward, at most the echo budget after it. */
  async awaitEcho(): Promise<void> {
    await this.untilSent();
    const budget = this.budget();
    while (this.lastOutputAt() < this.lastForwardAt && Date.now() - this.lastForwardAt < budget)
      await sleep(2);
  }

  /** Waits until the target answered the last forward (output after it, then a quiet moment), so the
   * screen shows the line as the reader holds it — completion included. At most maxWaitMs. */
  async settle(): Promise<void> {
    await this.untilSent();
    const start = Date.now();
    const expired = () => Date.now() - start >= this.maxWaitMs;
    while (this.lastOutputAt() < this.lastForwardAt && !expired()) await sleep(5);
    while (Date.now() - this.lastOutputAt() < this.quietMs && !expired()) await sleep(5);
  }
}
