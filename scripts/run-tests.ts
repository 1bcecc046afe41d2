// `npm test`'s test run: two vitest processes at once — the e2e queue (each file starts its own stack, one
// file at a time) and everything else (unit, db, component, workers). Vitest runs a project whose files
// may not run in parallel (e2e) only after every other project has finished, so in one process the two
// queues never overlap; on CI's two cores they take about as long as each other, so side by side the run
// takes about half as long. Each line is prefixed with its queue; the exit status is the worse of the two.
// The two outputs interleave, so a queue's failures could scroll far above the end of the log (where a CI
// excerpt looks): at the end each queue's failed-test report and totals are printed again, together.
// Ctrl-C: each vitest runs in a process group of its own (`detached`), so a terminal's Ctrl-C reaches this
// script only, and SIGINT/SIGTERM are passed to each queue's whole group (vitest, its workers, PostgreSQL,
// sshd, the agent). A signalled worker dies before its afterAll, so what it started in groups of their own
// (the stack's supervisor gives wrangler and workerd one, Chromium makes its own) would outlive the run:
// once both queues have exited, every process still carrying this run's mark in its environment
// (NOSTROMO_TEST_RUN, inherited by everything a queue starts) gets the signal too, then SIGKILL after a
// grace. Checked by hand: `timeout -s INT 90 npx tsx scripts/run-tests.ts` left wrangler and two workerd
// behind before, nothing of the run after.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { pidsWithEnv } from "../infra/dev/procs.ts";

const queues = [
  { name: "e2e ", args: ["--project", "e2e"] },
  {
    name: "rest",
    args: ["--project", "unit", "--project", "db", "--project", "component", "--project", "workers"],
  },
];

/** Lines kept for the closing summary: the failed-test report, failed files and the totals. */
const REPORT_START = /Failed Tests|Failed Suites|Unhandled Errors|Unhandled Rejection/;
const TOTALS = /^\s*(Test Files|Tests|Errors|Duration)\s/;
const FAILED_FILE = /^\s*(FAIL|❯|×)\s/;
const MAX_REPORT_LINES = 400;
/** Marks every process of this run (the environment is inherited), for the sweep after a signal. */
const MARK = "NOSTROMO_TEST_RUN";
const mark = `${process.pid}-${Date.now()}`;
const SWEEP_GRACE_MS = 5_000;

const children = queues.map(({ name, args }) => {
  const child = spawn(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", ...args, ...process.argv.slice(2)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", [MARK]: mark },
      detached: true,
    },
  );
  const summary: string[] = [];
  let inReport = false;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
      if (REPORT_START.test(line)) inReport = true;
      if ((inReport || TOTALS.test(line) || FAILED_FILE.test(line)) && summary.length < MAX_REPORT_LINES)
        summary.push(line);
    });
  }
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { name, child, exited, summary };
});

/** Signals a queue's whole process group, which may outlive its leader (vitest) by a moment. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of that group is left.
  }
}

let interrupted: NodeJS.Signals | null = null;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    interrupted = signal;
    for (const { child } of children) signalGroup(child.pid, signal);
  });
}

/** After a signal: what the queues started outside their groups gets it too, then SIGKILL. */
async function sweep(signal: NodeJS.Signals): Promise<void> {
  const kill = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  const left = () => pidsWithEnv(MARK, mark);
  for (const pid of left()) kill(pid, signal);
  const deadline = Date.now() + SWEEP_GRACE_MS;
  while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const stubborn = left();
  for (const pid of stubborn) kill(pid, "SIGKILL");
  if (stubborn.length > 0) process.stdout.write(`killed ${stubborn.length} process(es) left by the run\n`);
}

const codes = await Promise.all(children.map((c) => c.exited));
if (interrupted) await sweep(interrupted);
process.stdout.write("\n==== summary of both queues ====\n");
for (const [i, c] of children.entries()) {
  for (const line of c.summary) process.stdout.write(`[${c.name}] ${line}\n`);
  process.stdout.write(`[${c.name}] exit ${codes[i]}\n`);
}
process.exit(Math.max(...codes));
