// When the terminal tries its viewer socket again after it dropped (a network blip, an edge restart): at
// once-ish, then backing off (0.5 s, 1 s, 2 s … capped at 8 s, each ±20 % so that many viewers dropped
// together do not return in step), at most RETRIES times in a row; then the page offers a button. A socket
// the server closed on purpose is not retried: the session is over, the login was killed, or the viewer
// was refused for sending garbage.

export const RETRIES = 6;
const FIRST_MS = 500;
const CAP_MS = 8_000;
/** The close codes of a deliberate end: the room closing (the session is over), the kill switch
 * (workers/live/login-sockets.ts), a viewer refused for garbage. */
const DELIBERATE = new Set([1000, 4001, 1008]);

/** The wait before retry number `attempt` (1-based); `random` in [0, 1). */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(CAP_MS, FIRST_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Whether to try again after a close with `code`, `failures` retries having failed since the last success. */
export function shouldRetry(code: number, failures: number, sessionOver: boolean): boolean {
  return !sessionOver && !DELIBERATE.has(code) && failures < RETRIES;
}
