// Bench-only hop timestamps (issue 19's trace): with the Worker var BENCH_TRACE=1 the room notes one mark
// per hop of a keystroke or a batch of output and logs them together once a second —
// `nostromo-trace <hop> <epoch ms> <hop> <epoch ms> …` — which bench/session-trace.ts lines up with the
// agent's and the viewer's own marks. Batched: a console call per hop goes through wrangler dev's
// inspector and would be part of what it measures. Off (every deployment), the tracer is null and each
// call site is one optional call on null: nothing is noted or logged. Only the hop's name and the time are
// written, never what was typed or shown. workerd's clock is in whole milliseconds and advances only
// between I/O events, so a hop is "when the event carrying it began". After each "room.fanout" it also
// notes "room.synced" once the storage has committed the batch: the output gate holds the viewers' frames
// until then. Logged with console.error: the local stack runs wrangler dev at --log-level error.
import type { Bindings } from "../env.ts";

export type Trace = ((hop: string) => void) | null;

const FLUSH_MS = 1000;

export function roomTrace(env: Bindings, storage: DurableObjectStorage): Trace {
  if (env.BENCH_TRACE !== "1") return null;
  const marks: string[] = [];
  let scheduled = false;
  const note = (hop: string) => {
    marks.push(`${hop} ${Date.now()}`);
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      console.error(`nostromo-trace ${marks.splice(0).join(" ")}`);
    }, FLUSH_MS);
  };
  return (hop) => {
    note(hop);
    if (hop === "room.fanout") void storage.sync().then(() => note("room.synced"));
  };
}
