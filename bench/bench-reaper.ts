// The benchmarks' last resort, run by bench-processes.ts as a detached process (its own session: a
// terminal's Ctrl-C never reaches it) reading a pipe from the bench: the supervisor's children as they
// change (PID, start time, process group) and the temporary folders. When the pipe closes — the bench
// exited, however — whatever it recorded that is still alive is stopped (stack-lock.ts's stopLeftovers:
// PostgreSQL with SIGINT, the rest SIGTERM by group, SIGKILL after 3 s) and the folders removed. After a
// clean shutdown nothing is left and this does nothing. Needed because a bench run with `npx tsx` can be
// SIGKILLed by tsx's wrapper mid-shutdown (it does that to a child that does not acknowledge a relayed
// signal within 60 ms), and then the supervisor never finishes.
import { rmSync } from "node:fs";
import { stopLeftovers } from "../infra/dev/stack-lock.ts";
import type { SupervisedChild } from "../infra/dev/supervisor.ts";

let children: SupervisedChild[] = [];
const dirs = new Set<string>();
let rest = "";
process.stdin.on("data", (d: Buffer) => {
  const lines = (rest + d.toString()).split("\n");
  rest = lines.pop() ?? "";
  for (const line of lines) {
    const m = JSON.parse(line) as { children?: SupervisedChild[]; dir?: string };
    if (m.children) children = m.children;
    if (m.dir) dirs.add(m.dir);
  }
});
process.stdin.on("end", async () => {
  await stopLeftovers(children, (line) => console.error(`[bench reaper] ${line}`));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
