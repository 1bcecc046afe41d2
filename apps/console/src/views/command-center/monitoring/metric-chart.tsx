// One agent's CPU, memory and disk over time, drawn by uPlot (a small canvas charting library: fast,
// ~50 kB, no DOM per point, and it sets sizes through the CSSOM, so the strict CSP needs no exception).
// The chart is made once and fed new data on each refresh; it follows its box's width and is redrawn with
// the theme's colours when the theme changes. The figures are also in the caption for screen readers.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { AgentHealth, MetricSample } from "../../../api/index.ts";
import { theme } from "../../../state/theme.ts";
import { pct, toSeries } from "./series.ts";

const HEIGHT = 180;
/** The window the view asks for (getMonitoring(1)): the x axis always spans it, ending at the newest sample. */
const WINDOW_S = 3600;

/** The hour before the newest sample (or before now, with none), plus a little room so the last point shows. */
function windowEnding(xs: ArrayLike<number>): [number, number] {
  const end = xs[xs.length - 1] ?? Date.now() / 1000;
  return [end - WINDOW_S, end + 30];
}

function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: v("--muted"),
    grid: v("--border"),
    cpu: v("--accent"),
    memory: v("--ok"),
    disk: v("--warn"),
  };
}

function options(width: number): uPlot.Options {
  const c = colours();
  const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    scales: {
      x: {
        time: true,
        range: (u) => windowEnding(u.data[0]),
      },
      y: { range: [0, 100] },
    },
    series: [
      {},
      { label: "CPU %", stroke: c.cpu, width: 2, spanGaps: false },
      { label: "Memory %", stroke: c.memory, width: 2, spanGaps: false },
      { label: "Disk %", stroke: c.disk, width: 2, spanGaps: false },
    ],
    axes: [axis, { ...axis, size: 40 }],
    legend: { show: true },
  };
}

export function MetricChart({
  name,
  history,
  latest,
}: {
  name: string;
  history: MetricSample[];
  latest: AgentHealth["latest"];
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = toSeries(history);
  const dark = theme.value;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(options(el.clientWidth || 300), data, el);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 300, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [history]);

  return (
    <figure class="metric-chart">
      <div ref={box} role="img" aria-label={`CPU, memory and disk of ${name} over time`} />
      <figcaption>
        Now: CPU {pct(latest?.cpu_load_pct)}, memory {pct(latest?.memory_usage_pct)}, disk{" "}
        {pct(latest?.disk_usage_pct)}
        {history.length === 0
          ? " — no samples in this window yet"
          : ` — ${history.length} sample${history.length === 1 ? "" : "s"} in the last hour`}
      </figcaption>
    </figure>
  );
}
