// `npm test`'s test run: two vitest processes at once — the e2e queue (each file starts its own stack, one
// file at a time) and everything else (unit, db, component, workers). Vitest runs a project whose files
// may not run in parallel (e2e) only after every other project has finished, so in one process the two
// queues never overlap; on CI's two cores they take about as long as each other, so side by side the run
// takes about half as long. Each line is prefixed with its queue; the exit status is the worse of the two.
// The two outputs interleave, so a queue's failures could scroll far above the end of the log (where a CI
// excerpt looks): at the end each queue's failed-test report and totals are printed again, together.
// Ctrl-C (or SIGTERM) is passed to both, and vitest's global teardown stops what each started.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

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

const children = queues.map(({ name, args }) => {
  const child = spawn(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", ...args, ...process.argv.slice(2)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
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

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const { child } of children) if (child.exitCode === null) child.kill(signal);
  });
}

const codes = await Promise.all(children.map((c) => c.exited));
process.stdout.write("\n==== summary of both queues ====\n");
for (const [i, c] of children.entries()) {
  for (const line of c.summary) process.stdout.write(`[${c.name}] ${line}\n`);
  process.stdout.write(`[${c.name}] exit ${codes[i]}\n`);
}
process.exit(Math.max(...codes));
