// Resident memory and open file descriptors of a process from /proc, and the summary the soak run prints
// (start = mean of the baseline minutes, end, max, least-squares slope per hour after the baseline).
// Read straight from /proc: no library reports a process's descriptor count on Linux.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcSample {
  rssMiB: number;
  fds: number;
}

/** null when the process is gone. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    return { rssMiB: rss, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
}

/** A process's open descriptors by kind (socket, pipe, anon_inode, file), or null when it is gone. */
export function fdKinds(pid: number): Record<string, number> | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const kinds: Record<string, number> = {};
  for (const fd of fds) {
    let kind = "file";
    try {
      const to = readlinkSync(`/proc/${pid}/fd/${fd}`);
      kind = /^(socket|pipe|anon_inode):/.exec(to)?.[1] ?? "file";
    } catch {
      continue; // closed meanwhile
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** Children of a process (e.g. PostgreSQL's backends under the postmaster), from /proc/<pid>/stat. */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === ppid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The process whose command line contains `needle` (e.g. the postmaster's data directory). */
export function findProc(needle: string): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ").includes(needle))
        return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

export interface Series {
  /** Minutes since the start of the run. */
  t: number[];
  v: number[];
}

export interface Summary {
  start: number;
  end: number;
  max: number;
  /** Least-squares slope per hour over the samples after the baseline. */
  slopePerHour: number;
}

/** `baselineMin`: the first minutes, averaged as the starting level (warm-up settles there). */
export function summarise(s: Series, baselineMin: number): Summary {
  const n = s.v.length;
  if (n === 0) return { start: Number.NaN, end: Number.NaN, max: Number.NaN, slopePerHour: Number.NaN };
  const base = s.v.filter((_, i) => (s.t[i] ?? 0) <= baselineMin);
  const start = (base.length ? base : s.v.slice(0, 1)).reduce((a, b) => a + b, 0) / Math.max(1, base.length);
  const after = s.t.map((t, i) => [t, s.v[i] ?? 0] as const).filter(([t]) => t >= baselineMin);
  let slope = 0;
  if (after.length >= 2) {
    const mt = after.reduce((a, [t]) => a + t, 0) / after.length;
    const mv = after.reduce((a, [, v]) => a + v, 0) / after.length;
    const num = after.reduce((a, [t, v]) => a + (t - mt) * (v - mv), 0);
    const den = after.reduce((a, [t]) => a + (t - mt) ** 2, 0);
    slope = den > 0 ? (num / den) * 60 : 0;
  }
  return { start, end: s.v[n - 1] ?? Number.NaN, max: Math.max(...s.v), slopePerHour: slope };
}
