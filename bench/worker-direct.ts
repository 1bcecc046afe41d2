// The address of the Worker's own workerd, behind wrangler dev's proxy: its listening ports, read from
// /proc (its socket inodes matched against the LISTEN rows of /proc/net/tcp), the one answering
// /api/health. The soak's SOAK_DIRECT=1 sends the joining viewers there, past the dev proxy, to tell the
// proxy's memory from the Worker's. Read from /proc: no library maps a process to its listening ports.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The TCP ports `pid` listens on. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const row of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = row.trim().split(/\s+/);
    const [local, state, inode] = [f[1], f[3], f[9]];
    if (state === "0A" && inode && inodes.has(inode) && local)
      ports.push(Number.parseInt(local.split(":")[1] ?? "", 16));
  }
  return ports;
}

/** `http://127.0.0.1:<port>` of the first of `pids` serving the Worker itself, or null. */
export async function workerDirectUrl(pids: number[], publicPort: number): Promise<string | null> {
  for (const pid of pids)
    for (const port of listeningPorts(pid)) {
      if (port === publicPort) continue;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return `http://127.0.0.1:${port}`;
      } catch {
        // not an HTTP port
      }
    }
  return null;
}
