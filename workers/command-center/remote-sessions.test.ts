// The merge of the Command Center's sweep: every tenant's newest-first page into one page, totals summed,
// a tenant that could not be read left out of both (and reported by the caller).
import { describe, expect, it } from "vitest";
import type { TenantRecord } from "../tenancy/tenant-record.ts";
import { mergePages, type TenantRead } from "./remote-sessions.ts";

const tenant = (id: string): TenantRecord => ({
  id,
  companyName: id,
  subdomain: id,
  tier: "gold",
  status: "active",
  driverType: "postgresql",
  dbMode: "pooled",
  dbConfigEncrypted: null,
  dataKeyWrapped: "",
  features: [],
  version: 1,
});

const row = (id: string, minute: number) => ({ id, startedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)) });

const reads: TenantRead<ReturnType<typeof row>>[] = [
  { tenant: tenant("a"), ok: true, rows: [row("a3", 30), row("a2", 20), row("a1", 10)], total: 3 },
  { tenant: tenant("b"), ok: true, rows: [row("b2", 25), row("b1", 5)], total: 2 },
  { tenant: tenant("c"), ok: false, message: "The tenant's database could not be read" },
];

describe("mergePages", () => {
  it("orders every tenant's rows newest first and sums the readable totals", () => {
    const { page, total } = mergePages(reads, 0, 10);
    expect(page.map((p) => p.row.id)).toEqual(["a3", "b2", "a2", "a1", "b1"]);
    expect(page.map((p) => p.tenant.id)).toEqual(["a", "b", "a", "a", "b"]);
    expect(total).toBe(5);
  });

  it("cuts the page at its offset and size", () => {
    expect(mergePages(reads, 2, 2).page.map((p) => p.row.id)).toEqual(["a2", "a1"]);
    expect(mergePages(reads, 4, 2).page.map((p) => p.row.id)).toEqual(["b1"]);
    expect(mergePages(reads, 6, 2).page).toEqual([]);
  });

  it("breaks a tie on the start time by id, so pages never repeat or skip a row", () => {
    const tie: TenantRead<ReturnType<typeof row>>[] = [
      { tenant: tenant("a"), ok: true, rows: [row("x1", 1)], total: 1 },
      { tenant: tenant("b"), ok: true, rows: [row("x2", 1)], total: 1 },
    ];
    expect(mergePages(tie, 0, 1).page.map((p) => p.row.id)).toEqual(["x2"]);
    expect(mergePages(tie, 1, 1).page.map((p) => p.row.id)).toEqual(["x1"]);
  });
});
