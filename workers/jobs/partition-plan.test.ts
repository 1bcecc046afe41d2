import { describe, expect, it } from "vitest";
import {
  addPeriods,
  anyLegalHold,
  longestRetention,
  PARTITIONED,
  type PartitionSpec,
  parsePartitionName,
  partitionName,
  periodStart,
  planPartitions,
} from "./partition-plan.ts";

const [AUDIT, COMMAND] = PARTITIONED as [PartitionSpec, PartitionSpec];
const at = (s: string) => new Date(s);
const names = (ops: { name: string }[]) => ops.map((o) => o.name);

describe("periods", () => {
  it("starts months on the 1st and weeks on Monday, in UTC", () => {
    expect(periodStart("month", at("2026-12-31T23:59:59.999Z")).toISOString()).toBe(
      "2026-12-01T00:00:00.000Z",
    );
    // 2027-01-01 is a Friday: its ISO week began on Monday 2026-12-28.
    expect(periodStart("week", at("2027-01-01T10:00:00Z")).toISOString()).toBe("2026-12-28T00:00:00.000Z");
    expect(periodStart("week", at("2026-11-30T00:00:00Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodStart("week", at("2026-12-06T23:59:59Z")).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(addPeriods("month", at("2026-11-01T00:00:00Z"), 3).toISOString()).toBe("2027-02-01T00:00:00.000Z");
  });

  it("names partitions by their period and reads back only names it makes", () => {
    expect(partitionName(AUDIT, at("2026-12-01T00:00:00Z"))).toBe("audit_log_p202612");
    expect(partitionName(COMMAND, at("2026-11-30T00:00:00Z"))).toBe("command_p20261130");
    expect(parsePartitionName(AUDIT, "audit_log_p202612")?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(parsePartitionName(COMMAND, "command_p20261130")?.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    for (const bad of [
      "audit_log_default",
      "audit_log_p202613",
      "audit_log_p20261201",
      "x_audit_log_p202612",
    ])
      expect(parsePartitionName(AUDIT, bad)).toBeNull();
    // 2026-12-01 is a Tuesday: not a week this module would make.
    expect(parsePartitionName(COMMAND, "command_p20261201")).toBeNull();
    expect(parsePartitionName(COMMAND, "command_default")).toBeNull();
  });
});

describe("retention settings", () => {
  it("takes the longest valid retention, the default for missing or invalid values", () => {
    expect(longestRetention(AUDIT, [])).toBe(365);
    expect(longestRetention(AUDIT, [{ audit_retention_days: 30 }, { audit_retention_days: 90 }])).toBe(90);
    expect(longestRetention(AUDIT, [{ audit_retention_days: 30 }, {}])).toBe(365);
    expect(longestRetention(AUDIT, [{ audit_retention_days: 800 }, { audit_retention_days: 30 }])).toBe(800);
    expect(
      longestRetention(COMMAND, [{ command_retention_days: "9999" }, { command_retention_days: 7 }]),
    ).toBe(180);
    expect(longestRetention(COMMAND, [{ command_retention_days: 0 }])).toBe(180);
    expect(longestRetention(COMMAND, [{ command_retention_days: 1.5 }, null])).toBe(180);
  });

  it("sees a legal hold on any organization", () => {
    expect(anyLegalHold([{}, { legal_hold: false }, null])).toBe(false);
    expect(anyLegalHold([{}, { legal_hold: true }])).toBe(true);
    expect(anyLegalHold([{ legal_hold: { reason: "case 42", since: "2026-11-01" } }])).toBe(true);
  });
});

describe("planPartitions", () => {
  const now = at("2026-12-15T12:00:00Z");
  const base = { now, existing: [], inDefault: [], retentionDays: 365, hold: false };

  it("creates the current period and the ones ahead, once", () => {
    const p = planPartitions(AUDIT, base);
    expect(names(p.create)).toEqual([
      "audit_log_p202612",
      "audit_log_p202701",
      "audit_log_p202702",
      "audit_log_p202703",
    ]);
    expect(p.create[3]?.to.toISOString()).toBe("2027-04-01T00:00:00.000Z");
    expect(p.drop).toEqual([]);
    const again = planPartitions(AUDIT, { ...base, existing: names(p.create) });
    expect(again.create).toEqual([]);
  });

  it("creates weeks ahead across the new year", () => {
    const p = planPartitions(COMMAND, { ...base, now: at("2026-12-24T00:00:00Z"), retentionDays: 180 });
    expect(names(p.create)).toEqual([
      "command_p20261221",
      "command_p20261228",
      "command_p20270104",
      "command_p20270111",
      "command_p20270118",
    ]);
  });

  it("drops a partition only when its end is past the longest retention", () => {
    const existing = [
      "audit_log_default",
      "audit_log_p202411",
      "audit_log_p202412",
      "audit_log_p202501",
      "audit_log_p202612",
    ];
    // now - 365 days = 2025-12-15T12:00Z: November and December 2024 ended before; January 2025 did too.
    expect(names(planPartitions(AUDIT, { ...base, existing }).drop)).toEqual([
      "audit_log_p202411",
      "audit_log_p202412",
      "audit_log_p202501",
    ]);
    // One tenant keeps 700 days: cutoff 2025-01-14T12:00Z, only the partitions ending before it go.
    expect(names(planPartitions(AUDIT, { ...base, existing, retentionDays: 700 }).drop)).toEqual([
      "audit_log_p202411",
      "audit_log_p202412",
    ]);
    // Exactly at the edge: a partition ending at the cutoff instant may go.
    const edge = planPartitions(AUDIT, {
      ...base,
      now: at("2026-01-01T00:00:00Z"),
      existing: ["audit_log_p202412"],
    });
    expect(names(edge.drop)).toEqual(["audit_log_p202412"]);
    const before = planPartitions(AUDIT, {
      ...base,
      now: at("2025-12-31T23:59:59Z"),
      existing: ["audit_log_p202412"],
    });
    expect(before.drop).toEqual([]);
  });

  it("drops nothing under a legal hold, and never DEFAULT or a foreign name", () => {
    const existing = ["audit_log_p202001", "audit_log_default", "audit_log_archive"];
    expect(planPartitions(AUDIT, { ...base, existing, hold: true }).drop).toEqual([]);
    expect(names(planPartitions(AUDIT, { ...base, existing }).drop)).toEqual(["audit_log_p202001"]);
  });

  it("gives rows waiting in DEFAULT their partition once their period is within the window", () => {
    const inDefault = [
      at("2026-10-03T00:00:00Z"),
      at("2026-10-20T00:00:00Z"),
      at("2027-02-02T00:00:00Z"),
      at("2031-06-01T00:00:00Z"),
      at("2020-01-01T00:00:00Z"),
    ];
    const existing = ["audit_log_p202612", "audit_log_p202701", "audit_log_p202702", "audit_log_p202703"];
    const p = planPartitions(AUDIT, { ...base, existing, inDefault });
    // October (within retention) is created and filled; 2031 waits; 2020 is past retention (DELETE's job);
    // February already exists (its rows cannot be in DEFAULT then, but nothing is created twice).
    expect(p.create.map((c) => [c.name, c.fromDefault])).toEqual([["audit_log_p202610", true]]);
    const later = planPartitions(AUDIT, {
      ...base,
      now: at("2031-04-10T00:00:00Z"),
      existing: [],
      inDefault,
    });
    expect(later.create.filter((c) => c.fromDefault).map((c) => c.name)).toEqual(["audit_log_p203106"]);
  });
});
