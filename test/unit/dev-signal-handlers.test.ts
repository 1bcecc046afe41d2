// The signal and crash handlers `npm start` and the benchmarks install (installSignalHandlers), in a real
// Node process with a real child: a signal stops the child and exits with 128 + its number; a crash stops
// everything and exits 1, unless the process keeps its errors for itself (`crashes: false`, the soak run),
// when it lives on and a later signal still stops everything.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../infra/dev/procs.ts";

const dir = mkdtempSync(join(tmpdir(), "nostromo-signals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SUPERVISOR = resolve(import.meta.dirname, "../../infra/dev/supervisor.ts");

/** A process that installs the handlers, spawns `sleep` through its supervisor, then throws after 100 ms. */
function run(crashes: boolean): { proc: ChildProcess; lines: string[]; ready: Promise<number> } {
  const script = join(dir, `crashes-${crashes}.ts`);
  writeFileSync(
    script,
    `import { installSignalHandlers, Supervisor } from ${JSON.stringify(SUPERVISOR)};
const sup = new Supervisor({ graceMs: 500 });
installSignalHandlers(sup, (l) => console.log(l), { crashes: ${crashes} });
const child = sup.spawn("sleeper", "sleep", ["60"], { tier: "app" });
console.log("child " + child.pid);
setTimeout(() => { throw new Error("boom"); }, 100);
setInterval(() => console.log("alive"), 100);
`,
  );
  const proc = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const ready = new Promise<number>((res) =>
    proc.stdout?.on("data", (d: Buffer) => {
      lines.push(...d.toString().split("\n").filter(Boolean));
      const pid = lines.find((l) => l.startsWith("child "));
      if (pid) res(Number(pid.slice(6)));
    }),
  );
  return { proc, lines, ready };
}

describe("installSignalHandlers", () => {
  it("a crash stops every child and exits 1", async () => {
    const { proc, lines, ready } = run(true);
    const child = await ready;
    const [code] = await once(proc, "exit");
    expect(code).toBe(1);
    expect(lines.some((l) => l.includes("unexpected error") && l.includes("boom"))).toBe(true);
    expect(isAlive(child)).toBe(false);
  });

  it("crashes: false leaves errors to the process, which lives on; SIGINT then stops every child, exit 130", async () => {
    const { proc, lines, ready } = run(false);
    const child = await ready;
    const exited = once(proc, "exit");
    while (proc.exitCode === null && lines.filter((l) => l === "alive").length < 4)
      await new Promise((r) => setTimeout(r, 50));
    expect(proc.exitCode, "the crash ended the process").toBeNull();
    expect(isAlive(child)).toBe(true);
    proc.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(130);
    expect(lines.some((l) => l.includes("stopped everything"))).toBe(true);
    expect(isAlive(child)).toBe(false);
  });
});
