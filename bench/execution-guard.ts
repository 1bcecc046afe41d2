// What the execution guard adds to an Enter, beside a baseline measured in the same run: two bash login
// shells on one OpenSSH sshd, both with the agent's real integration snippet; in one the guard is on (its
// DEBUG trap reports each line and waits for the verdict, answered by the room's real ExecutionGuard and
// OscScanner running in this process), in the other its trap was removed. The measure is Enter → the
// command's output (`echo G-<n>`), samples alternating between the two shells. The room here is in the
// same process, so the agent ↔ room round trip of a live session comes on top (see docs/benchmarks.md).
// Run: npx tsx bench/execution-guard.ts   (~1 min). Needs root and OpenSSH's sshd (as the tests do).

import { startSshd } from "@nostromo/testkit";
import type { ClientChannel } from "ssh2";
import { integrationSnippet, promptStartMark } from "../containers/agent/src/shell-integration.ts";
import { connectSsh } from "../containers/agent/src/ssh.ts";
import { compilePolicies, evaluateCommand } from "../workers/policy/index.ts";
import { ExecutionGuard } from "../workers/session-room/execution-guard.ts";
import { OscScanner } from "../workers/session-room/osc-scanner.ts";

const SAMPLES = Number(process.env.BENCH_GUARD_SAMPLES ?? 200);
const KEY = "bench_mark_key_0123456789abcdefghijklmnop";
const PREFIX = "__nostromo_bench_";
const typist = { userId: "bench", roleId: null, name: "bench" };
const compiled = compilePolicies([
  {
    id: "p1",
    name: "bench",
    isActive: true,
    appliesToRoles: [],
    appliesToConnections: [],
    blockedCommands: [
      {
        id: "r1",
        policyId: "p1",
        appliesToTypes: [],
        name: "marker",
        patternType: "regex",
        pattern: "^touch\\s+/tmp/bench-guard",
        severity: "high",
      },
    ],
    requireApproval: false,
    autoDisconnectOnViolation: false,
    notifyOnViolation: false,
  },
]);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Shell {
  stream: ClientChannel;
  text: () => string;
  mark: () => void;
  guard: ExecutionGuard;
}

async function openShell(sshd: Awaited<ReturnType<typeof startSshd>>, guarded: boolean): Promise<Shell> {
  const { client } = await connectSsh({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    auth: { type: "key", privateKey: sshd.privateKey },
  });
  const stream = await new Promise<ClientChannel>((res, rej) =>
    client.shell({ term: "xterm-256color", cols: 120, rows: 40 }, (err, s) => (err ? rej(err) : res(s))),
  );
  const scanner = new OscScanner(KEY);
  const guard = new ExecutionGuard(
    {
      forward: (b) => stream.write(Buffer.from(b)),
      released: () => {},
      evaluate: async (line) => evaluateCommand(compiled, line, { roleId: null, connectionType: "ssh" }),
      blocked: async () => {},
      alert: () => {},
      corrected: () => {},
      unrecorded: () => {},
      end: async () => {},
      connected: () => true,
      expectEcho: (t) => scanner.expectEcho(t),
    },
    typist,
  );
  let out = "";
  let from = 0;
  stream.on("data", (chunk: Buffer) => {
    for (const piece of scanner.scan(chunk)) {
      out += Buffer.from(piece.bytes).toString("latin1");
      const ev = piece.event;
      // The baseline shell: its one report (the line removing the trap) is answered "y" directly.
      if (ev?.kind === "exec" && !guarded) stream.write(`#${ev.nonce}y\n`);
      else if (ev) void guard.onEvent(ev);
    }
    if (out.length > 1_000_000) {
      out = out.slice(-100_000);
      from = 0;
    }
  });
  let raw = "";
  const watch = (c: Buffer) => {
    raw += c.toString("latin1");
  };
  stream.on("data", watch);
  await sleep(800);
  stream.write(integrationSnippet("bash", KEY, PREFIX));
  while (!raw.includes(promptStartMark(KEY))) await sleep(10);
  stream.off("data", watch);
  await sleep(300);
  return {
    stream,
    guard,
    text: () => out.slice(from),
    mark: () => {
      from = out.length;
    },
  };
}

/** Enter → the command's output; `approve` plays the tracker approving the line at Enter. */
async function enterToOutput(s: Shell, i: number, approve: boolean): Promise<number> {
  const line = `echo G-${i}-$((40+2))`;
  s.stream.write(line);
  await sleep(30);
  s.mark();
  if (approve) s.guard.approvedLine(line, typist, `c${i}`);
  const t0 = performance.now();
  s.guard.input(new TextEncoder().encode("\r"));
  const want = `G-${i}-42\r\n`;
  while (!s.text().includes(want)) await new Promise((r) => setImmediate(r));
  const dt = performance.now() - t0;
  await sleep(40);
  return dt;
}

const sshd = await startSshd();
try {
  const on = await openShell(sshd, true);
  const off = await openShell(sshd, false);
  // Without the flag the prompt hook does not re-arm the trap.
  off.stream.write(`unset ${PREFIX}on; trap - DEBUG; shopt -u extdebug\r`);
  await sleep(500);
  off.mark();
  off.stream.write("trap -p DEBUG; echo TRAPS-$((1+1))\r");
  while (!off.text().includes("TRAPS-2")) await sleep(10);
  if (off.text().includes("trap --")) throw new Error("the baseline shell still has its DEBUG trap");
  for (let i = 0; i < 10; i++) {
    await enterToOutput(on, i, true);
    await enterToOutput(off, i, false);
  }
  const onApproved: number[] = [];
  const onJudged: number[] = [];
  const offs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    offs.push(await enterToOutput(off, 100 + i, false));
    onApproved.push(await enterToOutput(on, 100 + i, true));
    if (i % 4 === 0) onJudged.push(await enterToOutput(on, 10_000 + i, false));
  }
  console.log(`\nexecution guard: Enter → command output, (${SAMPLES} samples each)`);
  console.log("| shell | p50 | p99 |\n|---|---|---|");
  console.log(`| baseline: integration marks, no DEBUG trap | ${ms(pct(offs, 50))} | ${ms(pct(offs, 99))} |`);
  console.log(
    `| guard on, line approved at Enter (no evaluation) | ${ms(pct(onApproved, 50))} | ${ms(pct(onApproved, 99))} |`,
  );
  console.log(
    `| guard on, line the room had not judged (evaluated) | ${ms(pct(onJudged, 50))} | ${ms(pct(onJudged, 99))} |`,
  );
  console.log(`added at p50 (approved): ${ms(pct(onApproved, 50) - pct(offs, 50))}`);
  on.stream.end("exit\r");
  off.stream.end("exit\r");
} finally {
  await sshd.stop();
}
process.exit(0);
