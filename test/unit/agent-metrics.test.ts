// Metrics and host facts measured on the real machine running the tests.
import os from "node:os";
import { MetricsSchema } from "@nostromo/protocol";
import { describe, expect, it } from "vitest";
import { collectMetrics, hostFacts, pickRootFilesystem, toPercent } from "../../containers/agent/src/metrics";
import { AGENT_VERSION } from "../../containers/agent/src/version";

const oneDecimal = (n: number | null) => n === null || Math.round(n * 10) === n * 10;

describe("collectMetrics on this machine", () => {
  it("produces a valid metrics frame with sane values", async () => {
    const frame = await collectMetrics(3, 1_700_000_000_000);
    expect(MetricsSchema.parse(frame)).toEqual(frame);
    expect(frame.hostname).toBe(os.hostname());
    expect(frame.active_connections).toBe(3);
    expect(frame.agent_version).toBe(AGENT_VERSION);
    for (const pct of [frame.cpu_load_pct, frame.memory_usage_pct, frame.disk_usage_pct]) {
      expect(pct).not.toBeNull();
      expect(pct).toBeGreaterThanOrEqual(0);
      expect(pct).toBeLessThanOrEqual(100);
      expect(oneDecimal(pct)).toBe(true);
    }
    expect(frame.memory_total_bytes).toBe(os.totalmem());
    expect(frame.disk_total_bytes).toBeGreaterThan(0);
    expect(Math.abs((frame.uptime_sec ?? 0) - os.uptime())).toBeLessThan(5);
  }, 20_000);

  it("describes the host", async () => {
    const facts = await hostFacts();
    expect(facts).toMatchObject({ hostname: os.hostname(), platform: os.platform(), arch: os.arch() });
    expect(facts.os.length).toBeGreaterThan(0);
    expect(AGENT_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("metrics helpers", () => {
  it("rounds to one decimal and clamps to 0–100", () => {
    expect(toPercent(12.345)).toBe(12.3);
    expect(toPercent(100.04)).toBe(100);
    expect(toPercent(-1)).toBe(0);
    expect(toPercent(Number.NaN)).toBeNull();
    expect(toPercent(undefined)).toBeNull();
  });

  it("prefers the / mount, else the largest filesystem", () => {
    const disks = [
      { mount: "/data", size: 500 },
      { mount: "/", size: 10 },
    ];
    expect(pickRootFilesystem(disks)?.mount).toBe("/");
    expect(
      pickRootFilesystem([
        { mount: "/a", size: 1 },
        { mount: "/b", size: 9 },
      ])?.mount,
    ).toBe("/b");
    expect(pickRootFilesystem([])).toBeNull();
  });
});
