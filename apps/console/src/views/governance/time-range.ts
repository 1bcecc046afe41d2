// The filters' date-time inputs hold local times ("2026-12-01T17:20"); the API takes ISO date-times.
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export const when = (iso: string): string => (iso ? new Date(iso).toLocaleString() : "—");
