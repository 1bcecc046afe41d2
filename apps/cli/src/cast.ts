// asciicast v2 (what /api/recordings/:id/download serves): a JSON header line, then one [time, code, data]
// event per line. Parsed here for `recordings play`: output events with the wait before each, scaled by the
// speed and capped by the idle limit (as `asciinema play -s -i` does).
export interface CastHeader {
  version: number;
  width: number;
  height: number;
  [k: string]: unknown;
}

export interface Frame {
  /** Seconds to wait before writing `data`. */
  wait: number;
  data: string;
}

export function parseCast(text: string): { header: CastHeader; events: [number, string, string][] } {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const first = lines.shift();
  if (!first) throw new Error("empty recording");
  const header = JSON.parse(first) as CastHeader;
  if (header.version !== 2) throw new Error(`unsupported asciicast version ${header.version}`);
  const events: [number, string, string][] = [];
  for (const l of lines) {
    const e = JSON.parse(l) as unknown;
    if (Array.isArray(e) && typeof e[0] === "number" && typeof e[1] === "string" && typeof e[2] === "string")
      events.push([e[0], e[1], e[2]]);
  }
  return { header, events };
}

export function frames(
  events: [number, string, string][],
  { speed = 1, idleLimit = Number.POSITIVE_INFINITY } = {},
): Frame[] {
  const out: Frame[] = [];
  let last = 0;
  for (const [t, code, data] of events) {
    if (code !== "o") continue;
    const gap = Math.max(0, t - last);
    last = t;
    out.push({ wait: Math.min(gap, idleLimit) / speed, data });
  }
  return out;
}
