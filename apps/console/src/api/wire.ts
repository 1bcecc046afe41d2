// Reading the API's JSON while its field casing moves from camelCase to snake_case: every wire object the
// console reads goes through `field`, which accepts either spelling, and every list through `toPage`, so the
// views never see the wire format and the switch to the generated client changes this folder only.
export type Wire = Record<string, unknown>;

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
}

export function field(row: Wire, camelName: string): unknown {
  if (camelName in row) return row[camelName];
  return row[snake(camelName)];
}

export const str = (row: Wire, name: string): string => {
  const v = field(row, name);
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
};

export const strOrNull = (row: Wire, name: string): string | null => {
  const v = field(row, name);
  return typeof v === "string" ? v : null;
};

export const strings = (row: Wire, name: string): string[] => {
  const v = field(row, name);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
};

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function toPage<T>(body: unknown, map: (row: Wire) => T): Page<T> {
  const b = (body ?? {}) as { data?: unknown; pagination?: Wire };
  const rows = Array.isArray(b.data) ? (b.data as Wire[]) : [];
  const p = b.pagination ?? {};
  return {
    items: rows.map(map),
    page: Number(field(p, "page") ?? 1),
    pageSize: Number(field(p, "pageSize") ?? rows.length),
    total: Number(field(p, "total") ?? rows.length),
  };
}

/** Page query in both spellings: the server ignores the one it does not know. */
export function pageQuery(page: number, pageSize: number): Record<string, number> {
  return { page, pageSize, page_size: pageSize };
}
