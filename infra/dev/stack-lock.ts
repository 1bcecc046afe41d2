// One stack per data dir: `<dataDir>/stack.json` names the process that runs the stack and every child
// it started (PID + start time, so a reused PID is never mistaken for ours). A second start on the same
// data dir while the owner lives fails fast with a message saying who runs it and what to do. When the
// owner is dead (killed with SIGKILL, the machine's OOM killer…), its recorded children still alive are
// leftovers of that crash: they are stopped (by process group, SIGTERM then SIGKILL) and listed, and the
// start goes on — safe because only processes recorded by a dead owner of this very data dir are touched.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandLine, isAlive, procStat } from "./procs.ts";
import type { SupervisedChild } from "./supervisor.ts";
import { groupAlive } from "./supervisor.ts";

interface LockFile {
  pid: number;
  startTime: number;
  startedAt: string;
  /** The ports this stack serves on, for the "already running" message. */
  ports: Record<string, number>;
  children: SupervisedChild[];
}

export class AlreadyRunningError extends Error {}

export interface StackLock {
  /** Records the live children (called by the supervisor whenever they change). */
  update(children: SupervisedChild[]): void;
  release(): void;
}

/** Stops the recorded children still alive (PID and start time): PostgreSQL with SIGINT, the rest SIGTERM, by
 * process group; SIGKILL after 3 s. */
export async function stopLeftovers(children: SupervisedChild[], log: (line: string) => void): Promise<void> {
  const alive = children.filter((c) => isAlive(c.pid, c.startTime));
  if (alive.length === 0) return;
  log(
    `an earlier run ended without stopping its children; stopping them: ${alive
      .map((c) => `${c.name} (pid ${c.pid})`)
      .join(", ")}`,
  );
  const signal = (c: SupervisedChild, sig: NodeJS.Signals) => {
    try {
      process.kill(c.pgid ?? c.pid, sig);
      if (c.pgid) process.kill(-c.pgid, sig);
    } catch {
      // already gone
    }
  };
  const gone = () => alive.every((c) => !isAlive(c.pid, c.startTime) && (!c.pgid || !groupAlive(c.pgid)));
  for (const c of alive) signal(c, c.name === "PostgreSQL" ? "SIGINT" : "SIGTERM");
  for (let i = 0; i < 60 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
  for (const c of alive) signal(c, "SIGKILL");
  for (let i = 0; i < 20 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
}

export async function acquireStackLock(
  dataDir: string,
  ports: Record<string, number>,
  log: (line: string) => void,
): Promise<StackLock> {
  const file = join(dataDir, "stack.json");
  const me = procStat(process.pid);
  const base: LockFile = {
    pid: process.pid,
    startTime: me?.startTime ?? 0,
    startedAt: new Date().toISOString(),
    ports,
    children: [],
  };
  const write = (data: LockFile, flag: "wx" | "w") => {
    if (flag === "wx") writeFileSync(file, JSON.stringify(data, null, 2), { flag, mode: 0o600 });
    else {
      writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      write(base, "wx");
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
    }
    let held: LockFile | null = null;
    try {
      held = JSON.parse(readFileSync(file, "utf8")) as LockFile;
    } catch {
      // unreadable (cut short mid-write): nobody can be relying on it
    }
    if (held && isAlive(held.pid, held.startTime)) {
      const where = Object.entries(held.ports)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      throw new AlreadyRunningError(
        `Nostromo is already running on ${dataDir}: pid ${held.pid} (${commandLine(held.pid).slice(0, 60)}), since ${held.startedAt}${where ? `, ${where}` : ""}`,
      );
    }
    if (held) await stopLeftovers(held.children, log);
    rmSync(file, { force: true });
  }
  let released = false;
  return {
    update(children) {
      if (!released) write({ ...base, children }, "w");
    },
    release() {
      if (released) return;
      released = true;
      rmSync(file, { force: true });
    },
  };
}
