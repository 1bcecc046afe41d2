// The list every view shows: a query's loading, failed (with a retry) and empty states, then a table whose
// cells carry their column's label (at phone width each row becomes a card, labelled by data-label), an
// optional detail row under a row, and a pager when the list has pages. Views give columns and rows only.
import type { ComponentChildren } from "preact";
import { Fragment } from "preact";
import { Empty, Failed, Loading } from "./states.tsx";

export interface Column<T> {
  /** The header, and the cell's label when the table becomes cards at phone width. */
  label: string;
  cell: (row: T) => ComponentChildren;
  /** A column of buttons: its header is for screen readers only and its cells carry no label. */
  actions?: boolean;
}

/** What DataTable reads of a TanStack query (or any load with the same three states). */
export interface LoadState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** The state of rows already at hand (a policy's rules, read with the policy). */
export const LOADED: LoadState = { isPending: false, isError: false, error: null, refetch: () => undefined };

export interface Paging {
  page: number;
  pages: number;
  onPage: (page: number) => void;
}

export function Pager({ page, pages, onPage }: Paging) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

export function DataTable<T>(props: {
  query: LoadState;
  rows: T[] | undefined;
  /** Columns; `false` leaves one out (a column the caller's role has no use for). */
  columns: (Column<T> | false)[];
  rowKey: (row: T) => string;
  /** "connections": shown as "Loading connections…". */
  what: string;
  empty: ComponentChildren;
  caption?: string;
  /** Extra attributes of a row (e.g. a data- id the tests find it by). */
  rowAttrs?: (row: T) => Record<string, string>;
  /** A detail row under a row (an opened command's output, a recording's player), or nothing. */
  detail?: (row: T) => { id: string; content: ComponentChildren } | null;
  paging?: Paging;
}) {
  const { query, rows } = props;
  if (query.isPending) return <Loading what={props.what} />;
  if (query.isError) return <Failed error={query.error} retry={() => query.refetch()} />;
  if (!rows || rows.length === 0) return <Empty>{props.empty}</Empty>;
  const columns = props.columns.filter((c): c is Column<T> => c !== false);
  return (
    <>
      <div class="table-wrap">
        <table>
          {props.caption && <caption class="sr-only">{props.caption}</caption>}
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c.label}>
                  {c.actions ? <span class="sr-only">{c.label}</span> : c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const detail = props.detail?.(row);
              return (
                <Fragment key={props.rowKey(row)}>
                  <tr {...props.rowAttrs?.(row)}>
                    {columns.map((c) => (
                      <td key={c.label} data-label={c.actions ? undefined : c.label}>
                        {c.cell(row)}
                      </td>
                    ))}
                  </tr>
                  {detail && (
                    <tr id={detail.id} class="detail">
                      <td colSpan={columns.length}>{detail.content}</td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {props.paging && <Pager {...props.paging} />}
    </>
  );
}
