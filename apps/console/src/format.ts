// Small display helpers: how long ago, a byte count, and a user agent shortened to the browser and the system.
export function age(fromIso: string, now: number): string {
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return "—";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d`;
}

/** A byte count for people: B, kB, MB (1024-based, one decimal). */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

export function shortAgent(ua: string): string {
  if (!ua) return "—";
  const browser =
    /(Edg|OPR|Firefox|Chrome|HeadlessChrome|Safari|curl|node|undici)[/ ]?([\d.]*)/.exec(ua) ?? null;
  const os = /(Windows|Mac OS X|Android|iPhone|Linux|CrOS)/.exec(ua)?.[1] ?? null;
  const name = browser ? `${browser[1]}${browser[2] ? ` ${browser[2].split(".")[0]}` : ""}` : ua.slice(0, 24);
  return os ? `${name} · ${os}` : name;
}
