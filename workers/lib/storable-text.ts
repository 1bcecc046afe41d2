// What PostgreSQL cannot store in `text` or `jsonb`: NUL (U+0000) and lone UTF-16 surrogates (they have no
// UTF-8 form; the driver would silently turn them into U+FFFD). Pure functions used by the edge middleware
// (workers/middleware/text-input.ts) so that every text input is checked in one place, not route by route.
// Hand-written: no library walks a parsed JSON value iteratively with a depth bound and names the path.

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deeper JSON than this is refused: no route takes more than a few levels, and validators recurse. */
export const MAX_JSON_DEPTH = 32;

/** Why a string cannot be stored, or null when it can. */
export function unstorable(s: string): string | null {
  if (NUL.test(s)) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode (it contains a lone UTF-16 surrogate)";
  return null;
}

/** Text from elsewhere (a shell's output, an agent's message) made storable: U+FFFD for what is not. */
export function toStorable(s: string): string {
  return s.replace(new RegExp(`${NUL.source}|${LONE_SURROGATE.source}`, "g"), "\ufffd");
}

/** A key as it appears in a field path: printable, with the offending characters escaped. */
export function printableKey(key: string): string {
  return JSON.stringify(key).slice(1, -1);
}

export interface TextProblem {
  path: string;
  message: string;
}

/**
 * Walks a parsed JSON value (iteratively: a deeply nested body must not overflow the stack) and returns the
 * first key or string value that cannot be stored, or a value nested deeper than MAX_JSON_DEPTH.
 */
export function findUnstorable(root: unknown): TextProblem | null {
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value: root, path: [], depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string[]; depth: number };
    if (typeof value === "string") {
      const why = unstorable(value);
      if (why) return { path: path.join("."), message: why };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { path: path.join("."), message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: [...path, String(i)], depth: depth + 1 });
      }
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const why = unstorable(key);
      const at = [...path, printableKey(key)];
      if (why) return { path: at.join("."), message: `key ${why}` };
      stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return null;
}

/** Decodes one percent-encoded URL component (query: `+` is a space); null when it is not valid UTF-8. */
export function decodeComponent(raw: string, plusIsSpace: boolean): string | null {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, " ") : raw);
  } catch {
    return null;
  }
}

/** The first query parameter (name or value) that cannot be stored, by parameter name. */
export function findUnstorableQuery(search: string): TextProblem | null {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (!query) return null;
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    const name = decodeComponent(rawName, true);
    if (name === null) return { path: rawName, message: "parameter name is not valid UTF-8" };
    const nameWhy = unstorable(name);
    if (nameWhy) return { path: printableKey(name), message: `parameter name ${nameWhy}` };
    const value = decodeComponent(rawValue, true);
    if (value === null) return { path: printableKey(name), message: "is not valid percent-encoded UTF-8" };
    const why = unstorable(value);
    if (why) return { path: printableKey(name), message: why };
  }
  return null;
}

/** Whether every path segment decodes to storable text. */
export function findUnstorablePath(pathname: string): TextProblem | null {
  for (const segment of pathname.split("/")) {
    const decoded = decodeComponent(segment, false);
    if (decoded === null)
      return { path: "path", message: "a path segment is not valid percent-encoded UTF-8" };
    const why = unstorable(decoded);
    if (why) return { path: "path", message: `a path segment ${why}` };
  }
  return null;
}
