// Bench-only hop timestamps (issue 19's trace): with NOSTROMO_TRACE=1 in its environment the agent
// writes one line per hop of a keystroke or of the shell's output to stdout —
// `nostromo-trace <hop> <epoch ms, µs precision>` — which bench/session-trace.ts lines up with the room's
// and the viewer's marks. Off (every real deployment), `trace` is null and each call site is one
// optional call on null. Only the hop's name and the time are written, never the bytes.
export type Trace = ((hop: string) => void) | null;

export const trace: Trace =
  process.env.NOSTROMO_TRACE === "1"
    ? (hop) =>
        process.stdout.write(
          `nostromo-trace ${hop} ${(performance.timeOrigin + performance.now()).toFixed(3)}\n`,
        )
    : null;
