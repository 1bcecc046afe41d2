import { describe, expect, it } from "vitest";
import { Agent } from "./schemas.ts";
import { presentAgent } from "./service.ts";

const now = Date.parse("2026-12-01T12:00:00Z");
const row = {
  id: "6f1c1f2e-7f3a-4c1b-9d2e-0a1b2c3d4e5f",
  name: "edge-1",
  status: "active" as const,
  hostname: "edge-1.local",
  os: "Debian GNU/Linux 12",
  version: "1.0.0",
  hostFacts: { platform: "linux", arch: "x64", uptimeSec: 42, memoryTotalBytes: "lots", name: null },
  lastSeenAt: new Date(now - 5_000),
  lastConnectedAt: new Date(now - 60_000),
  revokedAt: null,
  createdAt: new Date(now - 3_600_000),
  connected: true,
  lastHeartbeatAt: new Date(now - 5_000),
  cpuLoadPct: 12.5,
  memoryUsagePct: 40,
  diskUsagePct: 70,
  activeConnections: 2,
  reportedAt: new Date(now - 5_000),
};

describe("presentAgent", () => {
  it("answers snake_case fields, ISO timestamps and only the host facts it knows, typed", () => {
    const a = presentAgent(row, now);
    expect(Agent.safeParse(a).success).toBe(true);
    expect(a.online).toBe(true);
    expect(a.last_connected_at).toBe("2026-12-01T11:59:00.000Z");
    expect(a.host_facts).toEqual({
      name: null,
      platform: "linux",
      arch: "x64",
      uptime_sec: 42,
      memory_total_bytes: null,
      disk_total_bytes: null,
    });
    expect(a.metrics).toEqual({
      cpu_load_pct: 12.5,
      memory_usage_pct: 40,
      disk_usage_pct: 70,
      active_connections: 2,
      reported_at: "2026-12-01T11:59:55.000Z",
    });
    const keys = [a, a.host_facts ?? {}, a.metrics ?? {}].flatMap((o) => Object.keys(o));
    expect(keys.filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it("has no metrics before the first report and no host facts before the first hello", () => {
    const a = presentAgent({ ...row, hostFacts: null, reportedAt: null, connected: false }, now);
    expect(a.metrics).toBeNull();
    expect(a.host_facts).toBeNull();
    expect(a.online).toBe(false);
  });
});
