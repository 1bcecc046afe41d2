// Subdomain slugs from company names: accents folded ("Ñandú Café" → "nandu-cafe"), DNS-label safe,
// reserved names refused.
export const RESERVED_SUBDOMAINS = new Set([
  "www",
  "api",
  "admin",
  "app",
  "auth",
  "login",
  "static",
  "assets",
  "cdn",
  "mail",
  "status",
  "docs",
  "command",
  "platform",
  "nostromo",
  "internal",
  "localhost",
]);

export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}

export const SUBDOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** The first free candidate: slug, slug-2, slug-3… `taken` answers whether a candidate is used. */
export async function uniqueSubdomain(
  base: string,
  taken: (candidate: string) => Promise<boolean>,
): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 44)}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
  throw new Error("no free subdomain");
}
