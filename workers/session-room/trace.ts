// Bench-only hop timestamps (issue 19's trace): with the Worker var BENCH_TRACE=1 the room logs one line
// per hop of a keystroke or a batch of output — `nostromo-trace <hop> <epoch ms>` — which bench/
// session-trace.ts lines up with the agent's and the viewer's own marks. Off (every deployment), the
// tracer is null and each call site is one optional call on null: nothing is formatted or logged. Only
// the hop's name and the time are written, never what was typed or shown. workerd's clock is in whole
// milliseconds and advances only between I/O events, so a hop is "when the event carrying it began".
// After each "room.fanout" it also logs "room.synced" once the storage has committed the batch: the
// output gate holds the viewers' frames until then. Written with console.error: the local stack runs
// wrangler dev at --log-level error, which drops console.log.
import type { Bindings } from "../env.ts";

export type Trace = ((hop: string) => void) | null;

export function roomTrace(env: Bindings, storage: DurableObjectStorage): Trace {
  if (env.BENCH_TRACE !== "1") return null;
  const log = (hop: string) => console.error(`nostromo-trace ${hop} ${Date.now()}`);
  return (hop) => {
    log(hop);
    if (hop === "room.fanout") void storage.sync().then(() => log("room.synced"));
  };
}
