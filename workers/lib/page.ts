// Page-numbered lists: the offset of a page and the one response shape every list endpoint answers with.
export interface PageQuery {
  page: number;
  pageSize: number;
}

export const pageOffset = (q: PageQuery): number => (q.page - 1) * q.pageSize;

export function pageOf<T>(q: PageQuery, data: T[], total: number | undefined) {
  return { data, pagination: { page: q.page, pageSize: q.pageSize, total: total ?? 0 } };
}
