// The local stack's supervisor with real processes: children in their own groups, grandchildren included,
// a child that ignores SIGTERM killed after the grace, the data tier stopped after the app tier, shutdown
// idempotent, and nothing started once it has begun.
import { describe, expect, it } from "vitest";
import { descendants, isAlive } from "../../infra/dev/procs.ts";
import { groupAlive, StoppedError, Supervisor } from "../../infra/dev/supervisor.ts";

const sleeper = (script: string) => ["-c", script];

describe("Supervisor", () => {
  it("stops every child and its grandchildren by process group, SIGKILL after the grace", async () => {
    const sup = new Supervisor({ graceMs: 300 });
    const polite = sup.spawn("polite", "sh", sleeper("sleep 30 & sleep 30 & wait"), {
      tier: "app",
      stdio: "ignore",
    });
    const stubborn = sup.spawn("stubborn", "sh", sleeper("trap '' TERM; sleep 30 & wait"), {
      tier: "data",
      stdio: "ignore",
    });
    await new Promise((r) => setTimeout(r, 200));
    const pids = [polite.pid, stubborn.pid].map(Number);
    const grandchildren = pids.flatMap((p) => descendants(p).map((d) => d.pid));
    expect(grandchildren.length).toBeGreaterThanOrEqual(3);
    expect(sup.children().map((c) => [c.name, c.pgid === c.pid])).toEqual([
      ["polite", true],
      ["stubborn", true],
    ]);
    const started = Date.now();
    const [a, b] = [sup.shutdown(), sup.shutdown()];
    expect(a).toBe(b);
    await a;
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const pid of [...pids, ...grandchildren]) expect(isAlive(pid)).toBe(false);
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    expect(sup.children()).toEqual([]);
  });

  it("stops the app tier before the data tier", async () => {
    const order: string[] = [];
    const sup = new Supervisor({ graceMs: 300 });
    await sup.own(
      "data thing",
      "data",
      async () => "db",
      async () => void order.push("data"),
    );
    await sup.own(
      "app thing",
      "app",
      async () => "app",
      async () => void order.push("app"),
    );
    await sup.shutdown();
    expect(order).toEqual(["app", "data"]);
  });

  it("a resource still starting when shutdown begins is closed once it has started; nothing starts after", async () => {
    const sup = new Supervisor({ graceMs: 300 });
    let closed = false;
    const starting = sup.own(
      "slow",
      "app",
      () => new Promise<string>((r) => setTimeout(() => r("up"), 100)),
      async () => {
        closed = true;
      },
    );
    const done = sup.shutdown();
    await expect(starting).rejects.toBeInstanceOf(StoppedError);
    await done;
    expect(closed).toBe(true);
    expect(sup.signal.aborted).toBe(true);
    expect(() => sup.spawn("late", "sleep", ["30"], { tier: "app" })).toThrow(StoppedError);
  });
});
