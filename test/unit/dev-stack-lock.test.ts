// One stack per data dir: a live owner makes a second start fail with who and where; a dead owner's
// recorded children still running are stopped and listed; a reused PID (other start time) is left alone.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, procStat } from "../../infra/dev/procs.ts";
import { AlreadyRunningError, acquireStackLock } from "../../infra/dev/stack-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "nostromo-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lockFile(d: string, owner: { pid: number; startTime: number }, children: object[]) {
  writeFileSync(
    join(d, "stack.json"),
    JSON.stringify({ ...owner, startedAt: "2026-01-01T00:00:00.000Z", ports: { PORT: 8787 }, children }),
  );
}

describe("the data dir's stack lock", () => {
  it("a live owner: the second start fails, naming its pid, start time and ports", async () => {
    const d = mkdtempSync(join(dir, "live-"));
    const first = await acquireStackLock(d, { PORT: 1234 }, () => {});
    const err = await acquireStackLock(d, { PORT: 1234 }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyRunningError);
    expect((err as Error).message).toMatch(
      new RegExp(`^Nostromo is already running on ${d}: pid ${process.pid} \\(.*\\), since .*, PORT 1234$`),
    );
    first.release();
    (await acquireStackLock(d, {}, () => {})).release();
  });

  it("a dead owner: its children still alive are stopped (by group) and listed; a reused PID is not touched", async () => {
    const d = mkdtempSync(join(dir, "dead-"));
    const leftover = spawn("sh", ["-c", "sleep 30 & wait"], { detached: true, stdio: "ignore" });
    const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 100));
    const left = procStat(leftover.pid ?? 0);
    const by = procStat(bystander.pid ?? 0);
    if (!left || !by) throw new Error("children did not start");
    lockFile(d, { pid: 999_999_999, startTime: 1 }, [
      { name: "wrangler dev", pid: left.pid, pgid: left.pid, startTime: left.startTime, tier: "app" },
      { name: "PostgreSQL", pid: by.pid, pgid: null, startTime: by.startTime + 1, tier: "data" },
    ]);
    const lines: string[] = [];
    const lock = await acquireStackLock(d, {}, (l) => lines.push(l));
    expect(lines).toEqual([
      `an earlier run ended without stopping its children; stopping them: wrangler dev (pid ${left.pid})`,
    ]);
    expect(isAlive(left.pid)).toBe(false);
    expect(isAlive(by.pid)).toBe(true);
    bystander.kill("SIGKILL");
    lock.release();
  });
});
