// Reads the line a reader is about to accept from the session's screen model: the shell's input area (from
// where its prompt ended to the cursor's line: wrapped rows joined, continuation prompts dropped), what was
// typed on a running program's line, and readline's incremental-search display — `(reverse-i-search)`q': l`,
// `(i-search)`…`, `(failed reverse-i-search)`…` — which replaces the prompt while searching and whose line
// `l` is what Enter runs. Pure functions over the headless terminal's buffer, so they are unit-tested with
// scripted output.
import type { Terminal } from "@xterm/headless";

export interface Pos {
  row: number;
  col: number;
}

export function cursorOf(term: Terminal): Pos {
  const b = term.buffer.active;
  return { row: b.baseY + b.cursorY, col: b.cursorX };
}

function rowText(term: Terminal, row: number): { text: string; wrapped: boolean } {
  const l = term.buffer.active.getLine(row);
  return { text: l?.translateToString(true) ?? "", wrapped: l?.isWrapped ?? false };
}

/** The shell's input area: from `start` to the cursor's line; continuation lines lose their PS2 ("> "). */
export function readInputArea(term: Terminal, start: Pos): string {
  const end = cursorOf(term).row;
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
export function readTypedArea(term: Terminal, start: Pos): string {
  const end = cursorOf(term).row;
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
