// Where a keystroke's and a judged Enter's time goes, hop by hop (issue 19's attribution): the stack runs
// with BENCH_TRACE=1 (the room logs its `<hop> <ms>` marks once a second) and both agents with
// NOSTROMO_TRACE=1; the bench itself marks the viewer's send and receive. Each sample is typed alone (the next waits for
// the echo), so every hop logged between a send and its echo belongs to it. Both paths in one run:
// through wrangler dev's ProxyWorker and past it (workerd's own port). Enters are judged against 1,000
// rules with recording on (the goal). workerd's clock counts whole milliseconds, so room hops are
// given as means (a mean of values floored to the millisecond is ~0.5 ms early, not noisy).
// Run: npx tsx bench/session-trace.ts   (about a minute; BENCH_TRACE_SAMPLES, default 100 per path)
import { Viewer } from "@nostromo/testkit";
import { createBenchPolicies, loadLine, ms, pct, sleep, startBenchStack, until } from "./live-stack.ts";

const SAMPLES = Number(process.env.BENCH_TRACE_SAMPLES ?? 100);
const HOPS = [
  "room.in",
  "room.toAgent",
  "agent.in",
  "agent.out",
  "agent.send",
  "room.out",
  "room.fanout",
  "room.synced",
] as const;
type Hop = "send" | (typeof HOPS)[number] | "recv";
const SEGMENTS: [Hop, Hop, string][] = [
  ["send", "room.in", "viewer → room (viewer socket)"],
  ["room.in", "room.toAgent", "room: input gate, tracker, decision"],
  ["room.toAgent", "agent.in", "room → agent (data socket)"],
  ["agent.in", "agent.out", "agent → sshd → shell echo → agent"],
  ["agent.out", "agent.send", "agent: integration gate, frame"],
  ["agent.send", "room.out", "agent → room (data socket)"],
  ["room.out", "room.fanout", "room: batch, scan, screen, tail, recording"],
  ["room.fanout", "room.synced", "room: storage commit (output gate)"],
  ["room.synced", "recv", "room → viewer (viewer socket), after the commit"],
  ["send", "recv", "total"],
];

const now = () => performance.timeOrigin + performance.now();

interface Sample {
  at: Partial<Record<Hop, number>>;
}

/** Types `key` after `prefix`, waits for `expect` in the output; the send and receive times. */
async function sample(v: Viewer, prefix: string, key: string, expect: string): Promise<[number, number]> {
  if (prefix) {
    v.type(prefix);
    await sleep(60);
  }
  const mark = v.chunks.length;
  const t0 = now();
  v.type(key);
  await until(() => Buffer.concat(v.chunks.slice(mark)).toString("latin1").includes(expect), v.ws, "message");
  const t1 = now();
  await sleep(60);
  return [t0, t1];
}

/** Each hop's first time inside the sample's window, in path order. */
function attribute(windows: [number, number][], lines: string[]): Sample[] {
  const events = lines
    .map((l) => l.split(" "))
    .map(([, hop, t]) => ({ hop: hop as Hop, t: Number(t) }))
    .sort((a, b) => a.t - b.t);
  return windows.map(([t0, t1]) => {
    const at: Sample["at"] = { send: t0, recv: t1 };
    let after = t0 - 1; // room times are floored to the millisecond
    for (const hop of HOPS) {
      const e = events.find((x) => x.hop === hop && x.t >= after && x.t <= t1 + 1);
      if (!e) continue;
      at[hop] = e.t;
      after = hop.startsWith("room") ? e.t : e.t - 1;
    }
    return { at };
  });
}

function table(title: string, samples: Sample[]): void {
  console.log(`\n${title} (${samples.length} samples)`);
  console.log("| hop | mean | p50 | p90 | samples |\n|---|---|---|---|---|");
  for (const [from, to, name] of SEGMENTS) {
    const xs = samples
      .map((s) =>
        s.at[from] !== undefined && s.at[to] !== undefined ? (s.at[to] ?? 0) - (s.at[from] ?? 0) : null,
      )
      .filter((x): x is number => x !== null);
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    console.log(`| ${name} | ${ms(mean)} | ${ms(pct(xs, 50))} | ${ms(pct(xs, 90))} | ${xs.length} |`);
  }
}

const b = await startBenchStack("trace", { direct: true, trace: true });
const viewers: Viewer[] = [];
try {
  const ids = [await b.start(), await b.startDirect()];
  const proxied = await Viewer.open(b.admin, ids[0] ?? "", {}, { terminal: false });
  const direct = await Viewer.open(b.directAdmin, ids[1] ?? "", {}, { terminal: false });
  viewers.push(proxied, direct);
  await sleep(3000);
  console.log(`load before: ${loadLine()}`);
  const run = async (v: Viewer, enter: boolean) => {
    const windows: [number, number][] = [];
    for (let i = 0; i < SAMPLES; i++) {
      if (enter) windows.push(await sample(v, `: nostromo-${i}`, "\r", "\n"));
      else {
        const ch = String.fromCharCode(97 + (i % 26));
        windows.push(await sample(v, "", ch, ch));
        if (i % 50 === 49) {
          v.type("\u0015");
          await sleep(60);
        }
      }
    }
    if (!enter) v.type("\u0015");
    await sleep(2500); // the room logs its marks once a second, through wrangler's output
    const lines = b.traceLines.splice(0);
    return attribute(windows, lines);
  };
  const keysProxy = await run(proxied, false);
  const keysDirect = await run(direct, false);
  await createBenchPolicies(b.admin);
  for (const id of ids) {
    const r = await b.admin.call("POST", `/api/remote-sessions/${id}/recording`, { enabled: true });
    if (r.status !== 200) throw new Error(`recording failed: ${JSON.stringify(r.body)}`);
  }
  await sleep(3000);
  const entersProxy = await run(proxied, true);
  const entersDirect = await run(direct, true);
  table("keystroke echo, through wrangler dev's proxy", keysProxy);
  table("keystroke echo, proxy-free (workerd's own port)", keysDirect);
  table("judged Enter (1,000 rules, recording on), through wrangler dev's proxy", entersProxy);
  table("judged Enter (1,000 rules, recording on), proxy-free", entersDirect);
  console.log(`\nload after: ${loadLine()}`);
} finally {
  for (const v of viewers) v.close();
  await b.stop();
}
