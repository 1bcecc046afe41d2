// An agent's metric history as uPlot wants it: one shared x axis (seconds since the epoch, ascending) and
// one column per metric, null where a sample lacks the figure (uPlot leaves a gap there).
import type { MetricPoint } from "../../../api/index.ts";

export type Series = [number[], (number | null)[], (number | null)[], (number | null)[]];

export function toSeries(history: MetricPoint[]): Series {
  const rows = history.filter((p) => Number.isFinite(p.at)).sort((a, b) => a.at - b.at);
  return [
    rows.map((p) => p.at / 1000),
    rows.map((p) => p.cpu),
    rows.map((p) => p.memory),
    rows.map((p) => p.disk),
  ];
}

/** "42 %", or "—" when the agent has not reported the figure. */
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? "—" : `${Math.round(v)} %`;
