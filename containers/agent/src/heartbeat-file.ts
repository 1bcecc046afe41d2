// The heartbeat file is how the container's HEALTHCHECK sees the agent without an inbound port:
// written after every heartbeat the edge accepted, judged fresh for three intervals.
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

export interface HeartbeatRecord {
  ts: number;
  intervalMs: number;
}

export function heartbeatPath(stateDir: string): string {
  return path.join(stateDir, "heartbeat");
}

export async function writeHeartbeat(stateDir: string, record: HeartbeatRecord): Promise<void> {
  const target = heartbeatPath(stateDir);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

export type HealthResult = { healthy: true; ageMs: number } | { healthy: false; reason: string };

export async function checkHeartbeat(stateDir: string, now: number = Date.now()): Promise<HealthResult> {
  let record: HeartbeatRecord;
  try {
    const parsed: unknown = JSON.parse(await readFile(heartbeatPath(stateDir), "utf8"));
    const candidate = parsed as Partial<HeartbeatRecord> | null;
    if (typeof candidate?.ts !== "number" || typeof candidate.intervalMs !== "number") {
      return { healthy: false, reason: "heartbeat file is malformed" };
    }
    record = { ts: candidate.ts, intervalMs: candidate.intervalMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      healthy: false,
      reason: code === "ENOENT" ? "no heartbeat yet" : "heartbeat file is unreadable",
    };
  }
  const ageMs = now - record.ts;
  if (ageMs > 3 * record.intervalMs) {
    return { healthy: false, reason: `last heartbeat ${Math.round(ageMs / 1000)} s ago` };
  }
  return { healthy: true, ageMs };
}
