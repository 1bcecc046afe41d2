// An agent's metric history as uPlot wants it: one shared x axis (seconds since the epoch, ascending) and
// one column per metric, null where a sample lacks the figure (uPlot leaves a gap there).
import type { MetricSample } from "../../../api/index.ts";

export type Series = [number[], (number | null)[], (number | null)[], (number | null)[]];

type Sample = Pick<MetricSample, "recorded_at" | "cpu_load_pct" | "memory_usage_pct" | "disk_usage_pct">;

export function toSeries(history: Sample[]): Series {
  const rows = history
    .map((p) => ({ ...p, at: Date.parse(p.recorded_at) }))
    .filter((p) => Number.isFinite(p.at))
    .sort((a, b) => a.at - b.at);
  return [
    rows.map((p) => p.at / 1000),
    rows.map((p) => p.cpu_load_pct),
    rows.map((p) => p.memory_usage_pct),
    rows.map((p) => p.disk_usage_pct),
  ];
}

/** "42 %", or "—" when the agent has not reported the figure. */
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? "—" : `${Math.round(v)} %`;
