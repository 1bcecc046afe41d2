// Host facts and periodic metrics, via systeminformation. Every probe is optional: a probe that fails
// or hangs (a stale NFS mount can stall fsSize) yields null for its field, never a missing report.
import os from "node:os";
import type { MetricsFrame } from "@nostromo/protocol";
import si from "systeminformation";
import { AGENT_VERSION } from "./version";

export interface HostFacts {
  hostname: string;
  /** e.g. "Debian GNU/Linux 12"; falls back to Node's os.type()/os.release(). */
  os: string;
  platform: string;
  arch: string;
  version: string;
}

const PROBE_TIMEOUT_MS = 5000;

async function probe<T>(run: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** One decimal, clamped to 0–100; null for anything that is not a finite number. */
export function toPercent(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Math.round(Math.min(100, Math.max(0, value)) * 10) / 10;
}

let osDescription: Promise<string> | null = null;

function describeOs(): Promise<string> {
  osDescription ??= probe(() => si.osInfo()).then((info) => {
    const text = info ? [info.distro, info.release].filter((p) => p && p !== "unknown").join(" ") : "";
    return text || `${os.type()} ${os.release()}`;
  });
  return osDescription;
}

export async function hostFacts(): Promise<HostFacts> {
  return {
    hostname: os.hostname(),
    os: await describeOs(),
    platform: os.platform(),
    arch: os.arch(),
    version: AGENT_VERSION,
  };
}

/** The root filesystem ("/"), or the largest one when "/" is not listed (some container runtimes). */
export function pickRootFilesystem<T extends { mount: string; size: number }>(disks: T[]): T | null {
  const root = disks.find((d) => d.mount === "/");
  if (root) return root;
  return disks.reduce<T | null>((best, d) => (best === null || d.size > best.size ? d : best), null);
}

/**
 * `activeConnections` is the number of SSH connections this agent holds open right now (interactive
 * sessions plus running exec requests) — not the host's TCP connection count.
 */
export async function collectMetrics(
  activeConnections: number,
  now: number = Date.now(),
): Promise<MetricsFrame> {
  const [facts, load, mem, disks] = await Promise.all([
    hostFacts(),
    probe(() => si.currentLoad()),
    probe(() => si.mem()),
    probe(() => si.fsSize()),
  ]);
  const disk = disks ? pickRootFilesystem(disks) : null;
  const uptime = os.uptime();
  return {
    t: "metrics",
    ts: now,
    cpu_load_pct: toPercent(load?.currentLoad),
    memory_usage_pct: mem && mem.total > 0 ? toPercent((mem.active / mem.total) * 100) : null,
    disk_usage_pct: disk && disk.size > 0 ? toPercent((disk.used / disk.size) * 100) : null,
    active_connections: activeConnections,
    hostname: facts.hostname,
    os: facts.os,
    uptime_sec: Number.isFinite(uptime) ? Math.round(uptime) : null,
    agent_version: facts.version,
    memory_total_bytes: mem && mem.total > 0 ? mem.total : null,
    disk_total_bytes: disk && disk.size > 0 ? disk.size : null,
  };
}
