// Reads the line a reader is about to accept from the session's screen model: the shell's input area (from
// where its prompt ended to the cursor's line: wrapped rows joined, continuation prompts dropped), what was
// typed on a running program's line, and readline's incremental-search display — `(reverse-i-search)`q': l`,
// `(i-search)`…`, `(failed reverse-i-search)`…` — which replaces the prompt while searching and whose line
// `l` is what Enter runs. Pure functions over the headless terminal's buffer, so they are unit-tested with
// scripted output.
import type { IMarker, Terminal } from "@xterm/headless";

export interface Pos {
  row: number;
  col: number;
  /** Kept while output scrolls: once the scrollback is full, every new row drops the oldest and moves
   * the rest up, so a row number taken at the prompt points lower and lower (a wrapped line was read from
   * its last row only). The marker moves with its line; `rowOf` reads it. */
  marker?: IMarker;
}

export function cursorOf(term: Terminal): Pos {
  const b = term.buffer.active;
  return { row: b.baseY + b.cursorY, col: b.cursorX };
}

/** The cursor's position, anchored to its line for as long as it is kept; `release` it when done. */
export function anchorCursor(term: Terminal): Pos {
  const marker = term.registerMarker(0);
  return { ...cursorOf(term), ...(marker ? { row: marker.line, marker } : {}) };
}

export function release(p: Pos | null): void {
  p?.marker?.dispose();
}

/** Where a position is now. A line that has left the buffer altogether (more output since than the
 * buffer holds) is gone: the cursor's row, from its start, is all that can still be read. */
export function startOf(p: Pos, cursorRow: number): Pos {
  if (!p.marker) return p;
  return p.marker.isDisposed ? { row: cursorRow, col: 0 } : { row: p.marker.line, col: p.col };
}

function rowText(term: Terminal, row: number): { text: string; wrapped: boolean } {
  const l = term.buffer.active.getLine(row);
  return { text: l?.translateToString(true) ?? "", wrapped: l?.isWrapped ?? false };
}

/** The shell's input area: from `start` to the cursor's line; continuation lines lose their PS2 ("> "). */
export function readInputArea(term: Terminal, at: Pos): string {
  const end = cursorOf(term).row;
  const start = startOf(at, end);
  let out = "";
  for (let row = start.row; row <= end; row++) {
    const { text, wrapped } = rowText(term, row);
    if (row === start.row) out += text.slice(start.col);
    else if (wrapped) out += text;
    else out += `\n${text.replace(/^> /, "")}`;
  }
  return out;
}

/** What was typed on a program's line since `start` (rows joined as they are). */
export function readTypedArea(term: Terminal, at: Pos): string {
  const end = cursorOf(term).row;
  const start = startOf(at, end);
  let out = "";
  for (let row = start.row; row <= end; row++) {
    const { text } = rowText(term, row);
    out += row === start.row ? text.slice(start.col) : text;
  }
  return out;
}

const SEARCH = /\((?:failed )?(?:reverse-)?i-search\)`/g;
const SEARCH_END = "': ";

/**
 * Lines readline's incremental search would accept, read from the rows `fromRow`…cursor (whole rows: the
 * search display replaces the prompt). The search string itself may contain `': `, and so may the line,
 * so every split is a candidate and the caller judges them all. Null when no search display is shown.
 */
export function searchCandidates(term: Terminal, fromRow: number): string[] | null {
  const end = cursorOf(term).row;
  let text = "";
  for (let row = Math.max(0, fromRow); row <= end; row++) {
    const r = rowText(term, row);
    text += row === fromRow || r.wrapped ? r.text : `\n${r.text}`;
  }
  const starts = [...text.matchAll(SEARCH)].map((m) => (m.index ?? 0) + m[0].length);
  if (starts.length === 0) return null;
  const out = new Set<string>();
  for (const s of starts) {
    for (let i = text.indexOf(SEARCH_END, s); i >= 0; i = text.indexOf(SEARCH_END, i + 1)) {
      out.add(text.slice(i + SEARCH_END.length));
    }
  }
  return [...out];
}
