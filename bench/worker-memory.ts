// Where a process's resident memory is, for the soak's question "is the Worker process's growth ours":
// anonymous (malloc and V8's heap) vs file-backed (the binary, mapped SQLite files) from
// /proc/<pid>/smaps_rollup, and the bytes on disk of wrangler's local state (the Durable Objects' SQLite
// files, the local R2 and KV stand-ins) by kind. Read straight from /proc and the file system: no library
// reports these on Linux.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface MemorySplit {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}

/** Rss, Anonymous and the file-backed rest of a process, in MiB; null when it is gone. */
export function memorySplit(pid: number): MemorySplit | null {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    const rss = kb("Rss") / 1024;
    const anon = kb("Anonymous") / 1024;
    return { rssMiB: rss, anonMiB: anon, fileMiB: rss - anon };
  } catch {
    return null;
  }
}

/** Bytes on disk under `dir` in MiB, by the first two path levels (e.g. `v3/do`, `v3/r2`). */
export function stateSizes(dir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(d, name);
      try {
        const st = statSync(path);
        if (st.isDirectory()) walk(path);
        else {
          const kind = relative(dir, path).split("/").slice(0, 2).join("/");
          sizes.set(kind, (sizes.get(kind) ?? 0) + st.size / 2 ** 20);
        }
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(dir);
  return sizes;
}
