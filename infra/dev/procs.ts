// Linux /proc facts about processes and ports, for the local stack's supervisor (is that PID still the
// process we started? who holds this port?) and for the stack lifecycle test (what is left of a run?).
// Read straight from /proc because no maintained npm package answers "which PID listens on port N" without
// shelling out to lsof/ss (absent on slim images); a PID alone can be reused, so a process is identified by
// PID + start time (field 22 of /proc/<pid>/stat). Without /proc (macOS) liveness falls back to kill(pid, 0)
// and the other answers are "unknown".
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  startTime: number;
}

/** /proc/<pid>/stat, or null when the process is gone (or unknown on this OS). */
export function procStat(pid: number): ProcInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

export const HAS_PROC = existsSync("/proc/self/stat");

/** Alive and not a zombie; with startTime, also still the same process (PIDs are reused). Without /proc
 * (macOS), only whether the PID exists. */
export function isAlive(pid: number, startTime?: number): boolean {
  if (!HAS_PROC) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  const s = procStat(pid);
  if (!s || s.state === "Z" || s.state === "X") return false;
  return startTime === undefined || s.startTime === startTime;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}

export function allPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** Every live process whose environment holds `name=value` (root reads every process's environ). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(needle) && isAlive(pid);
    } catch {
      return false;
    }
  });
}

/** The live descendants of `root` (children, grandchildren…), found through their parent PIDs. */
export function descendants(root: number): ProcInfo[] {
  const stats = allPids()
    .map(procStat)
    .filter((s): s is ProcInfo => s !== null);
  const found: ProcInfo[] = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (parents.has(s.ppid) && !parents.has(s.pid)) {
        parents.add(s.pid);
        found.push(s);
        grew = true;
      }
    }
  }
  return found;
}

/** Socket inodes listening on `port` (IPv4 and IPv6, TCP state 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A" && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Who listens on `port`: "pid 123 (workerd serve …)", or null when nobody we can see does. */
export function portHolder(port: number): string | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const pid of allPids()) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return `pid ${pid} (${commandLine(pid).slice(0, 120)})`;
    }
  }
  return "a process this user cannot see";
}

/** True when a listener can be opened on 127.0.0.1:port right now. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once("error", () => res(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
  });
}
