// What the desktop recordings share (VNC's `nostromo-rfb`, RDP's `nostromo-rdp`): a JSON header line, then
// one `[seconds, data]` line per event, the bytes base64 — the files workers/session-room/rfb-recording.ts
// and rdp-recording.ts write. Read here once, and the pacing both players follow (long pauses cut). Pure.

export const MAX_GAP_S = 2;

export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The header and the event lines of a recording of `format`; throws `notIt` on anything else. */
export function recordedLines(
  text: string,
  format: string,
  notIt: string,
): { header: Record<string, unknown>; events: [number, unknown][] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const header = JSON.parse(lines.shift() ?? "null") as Record<string, unknown> | null;
  if (header?.format !== format) throw new Error(notIt);
  return { header, events: lines.map((l) => JSON.parse(l) as [number, unknown]) };
}

/** When each event is played, in seconds from the first, with long pauses cut to MAX_GAP_S. */
export function schedule(times: number[]): number[] {
  const out: number[] = [];
  let at = 0;
  times.forEach((t, i) => {
    if (i > 0) at += Math.min(Math.max(t - (times[i - 1] ?? t), 0), MAX_GAP_S);
    out.push(at);
  });
  return out;
}
