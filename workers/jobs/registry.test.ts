// The registry and wrangler.toml agree: every job's cron is a trigger, every trigger fires a job, names are
// unique (npm run jobs -- <name> finds exactly one).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JOBS, jobNamed, jobsFor } from "./registry.ts";

function wranglerCrons(): string[] {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const line = /^crons\s*=\s*\[(.*)\]\s*$/m.exec(toml)?.[1] ?? "";
  return [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
}

describe("job registry", () => {
  it("has unique names and crons (a cron fires one job: npm run jobs), each found by name", () => {
    const names = JOBS.map((j) => j.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(JOBS.map((j) => j.cron)).size).toBe(JOBS.length);
    for (const j of JOBS) expect(jobNamed(j.name)).toBe(j);
    expect(jobNamed("no-such-job")).toBeUndefined();
  });

  it("matches wrangler.toml's cron triggers both ways", () => {
    const crons = wranglerCrons();
    expect(crons.length).toBeGreaterThan(0);
    for (const j of JOBS) expect(crons, j.name).toContain(j.cron);
    for (const c of crons) expect(jobsFor(c).length, c).toBeGreaterThan(0);
  });
});
