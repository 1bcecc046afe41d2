// asciicast v2 (the open recording format asciinema plays): a JSON header line, then one JSON array per
// event: [seconds, "o", output] and [seconds, "r", "COLSxROWS"]. Pure: no I/O.
export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
}

export type CastEvent = [number, "o" | "r" | "i" | "m", string];

export function headerLine(h: Omit<CastHeader, "version">): string {
  return `${JSON.stringify({ version: 2, ...h })}\n`;
}

export function eventLine(seconds: number, type: CastEvent[1], data: string): string {
  return `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, type, data])}\n`;
}

export function parseCast(text: string): { header: CastHeader; events: CastEvent[] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const first = lines.shift();
  if (!first) throw new Error("empty recording");
  const header = JSON.parse(first) as CastHeader;
  if (header.version !== 2) throw new Error("not asciicast v2");
  return { header, events: lines.map((l) => JSON.parse(l) as CastEvent) };
}
