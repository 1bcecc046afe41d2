// Enter latency: the time from a typist's Enter to the target's newline echo, at the shell prompt and
// inside a running program (a python3 REPL), through Nostromo with no policy and with 1,000 rules, beside
// a direct ssh2 shell (Nagle off) and a plain OpenSSH `ssh -tt` client to the same sshd, in the same run. An Enter at the prompt is judged on the
// line read from the screen; inside a program it must not wait for a prompt that never comes.
// Run: npx tsx bench/enter.ts   (about two minutes). Needs root and OpenSSH's sshd (as the tests do).
import type { EventEmitter } from "node:events";
import { Viewer } from "@nostromo/testkit";
import {
  createBenchPolicies,
  directShell,
  loadLine,
  ms,
  nextEvent,
  opensshShell,
  pct,
  sleep,
  startBenchStack,
} from "./live-stack.ts";

const SAMPLES = Number(process.env.BENCH_ENTER_SAMPLES ?? 40);

interface Term {
  /** Emits `event` once `since()` holds what arrived. */
  output: EventEmitter;
  event: string;
  type(s: string): void;
  /** Output since the last mark. */
  since(): string;
  mark(): void;
}

async function until(t: Term, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!t.since().includes(what)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(what)}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      nextEvent(t.output, t.event),
      new Promise<void>((r) => {
        timer = setTimeout(r, 250);
      }),
    ]);
    clearTimeout(timer);
  }
}

async function enters(t: Term, line: (i: number) => string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    t.type(line(i));
    await sleep(60);
    t.mark();
    const t0 = performance.now();
    t.type("\r");
    await until(t, "\n");
    out.push(performance.now() - t0);
    await sleep(60);
  }
  return out;
}

/** Enters at the prompt, then inside python3. */
async function measure(t: Term): Promise<{ prompt: number[]; program: number[] }> {
  const prompt = await enters(t, (i) => `: nostromo-${i}`);
  t.mark();
  t.type("python3 -q\r");
  await until(t, ">>> ");
  await sleep(500);
  const program = await enters(t, (i) => `${i}+1`);
  t.mark();
  t.type("exit()\r");
  await until(t, "$ ");
  await sleep(500);
  return { prompt, program };
}

const b = await startBenchStack("enter");
const viewers: Viewer[] = [];
try {
  console.log(`load before: ${loadLine()}`);
  const baseline = async (d: {
    output: EventEmitter;
    type(s: string): unknown;
    text(): string;
    close(): unknown;
  }) => {
    await sleep(1000);
    let dmark = 0;
    const r = await measure({
      output: d.output,
      event: "data",
      type: (s) => void d.type(s),
      since: () => d.text().slice(dmark),
      mark: () => {
        dmark = d.text().length;
      },
    });
    d.close();
    return r;
  };
  const direct = await baseline(await directShell(b.sshd));
  const openssh = await baseline(await opensshShell(b.sshd));

  const sid = await b.start();
  const owner = await Viewer.open(b.admin, sid, {}, { terminal: false });
  viewers.push(owner);
  await sleep(3000);
  let vmark = 0;
  const viaRoom: Term = {
    output: owner.ws,
    event: "message",
    type: (s) => owner.type(s),
    since: () => Buffer.concat(owner.chunks.slice(vmark)).toString("latin1"),
    mark: () => {
      vmark = owner.chunks.length;
    },
  };
  const off = await measure(viaRoom);
  await createBenchPolicies(b.admin);
  await sleep(3000);
  const on = await measure(viaRoom);

  console.log(`\nEnter → newline echo (${SAMPLES} Enters each; the program is a python3 REPL)`);
  console.log("| path | at the prompt p50 / p99 | inside a program p50 / p99 |\n|---|---|---|");
  const row = (name: string, r: { prompt: number[]; program: number[] }) =>
    console.log(
      `| ${name} | ${ms(pct(r.prompt, 50))} / ${ms(pct(r.prompt, 99))} | ${ms(pct(r.program, 50))} / ${ms(pct(r.program, 99))} |`,
    );
  row("baseline: direct ssh2 (TCP_NODELAY) → sshd", direct);
  row("baseline: OpenSSH `ssh -tt` → sshd", openssh);
  row("Nostromo, no policy", off);
  row("Nostromo, 1,000 rules in 20 policies", on);
  const extra = pct(on.program, 50) - pct(direct.prompt, 50);
  console.log(
    `inside a program with enforcement vs a plain Enter at the prompt (direct): ${ms(extra)} extra at p50`,
  );
  console.log(
    `inside a program, enforcement on vs off: ${ms(pct(on.program, 50) - pct(off.program, 50))} extra at p50; goal ≤ 5 ms`,
  );
  console.log(`load after: ${loadLine()}`);
} finally {
  for (const v of viewers) v.close();
  await b.stop();
}
