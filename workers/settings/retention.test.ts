// The retention definition: the seed's defaults, an organization's own values, the legal hold, the cutoff.
import { describe, expect, it } from "vitest";
import { DEFAULT_ORGANIZATION_SETTINGS } from "../../db/schema/tenant/organization.ts";
import { expiredBefore, retentionOf } from "./retention.ts";

describe("retentionOf", () => {
  it("gives the seed's defaults when the organization set nothing", () => {
    expect(retentionOf(DEFAULT_ORGANIZATION_SETTINGS)).toEqual({
      recordingDays: 90,
      auditDays: 365,
      commandDays: 180,
      onHold: false,
    });
  });

  it("takes the organization's values and its legal hold", () => {
    const r = retentionOf({
      ...DEFAULT_ORGANIZATION_SETTINGS,
      recording_retention_days: 7,
      audit_retention_days: 60,
      command_retention_days: 30,
      legal_hold: { placed_at: "2026-01-01T00:00:00.000Z", placed_by: "a@b.c", reason: "case 1" },
    });
    expect(r).toEqual({ recordingDays: 7, auditDays: 60, commandDays: 30, onHold: true });
  });
});

describe("expiredBefore", () => {
  it("is exactly `days` days before now", () => {
    expect(expiredBefore(new Date("2026-03-31T12:00:00.000Z"), 30).toISOString()).toBe(
      "2026-03-01T12:00:00.000Z",
    );
  });
});
