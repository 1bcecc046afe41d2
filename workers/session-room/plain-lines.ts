// The screen model's fast path for long runs of plain lines (what `cat`, logs and builds print): the lines
// in the middle of such a run are scrolled out of the buffer by the lines after them, so the headless
// terminal is not made to parse them. Hand-written because no library does it: xterm parses every byte
// (~20 ms of CPU per MB, the room's largest per-byte cost under bulk output).
//
// Why the result is exactly the state parsing every byte gives (read against @xterm/headless 6.0.0:
// InputHandler.print/lineFeed/carriageReturn/tab, BufferService.scroll, EscapeSequenceParser.parse).
// A batch is P + S + T: S starts right after a "\r\n" (the end of P) and ends right after a "\r\n"; S and
// T are a run of plain bytes only (0x20–0x7E, TAB, CR, LF); T holds at least `linesToFill` line feeds
// (2 × rows + scrollback − 1). Compare the terminal after P + T with the one after P + S + T:
// - At the start of T both have the cursor at column 0 (CR), the parser in the ground state, the same
//   modes, attributes, charsets, tab stops and saved cursor: S has no ESC or C1 byte, so it changes none
//   of them; a C0 control resets the parser's join state (the only print state REP reads).
// - In T every byte only writes on the cursor's line or moves the cursor right, to column 0 or one line
//   down (LF, or an autowrap): the cursor's column follows from T's bytes alone, the same in both. With
//   the scroll region the whole screen, at most rows − 1 moves bring the cursor to the bottom row, and
//   from there each move scrolls and appends a fresh blank line (erase attributes: the same in both).
// - So the last rows + scrollback moves (the buffer's whole capacity) each create a fresh line whose
//   content and wrapped flag follow from T's bytes alone, and the full buffer holds exactly those lines:
//   whatever P or S wrote has been trimmed, baseY is the scrollback, the cursor is on the bottom row, in
//   both. Markers on trimmed lines are disposed in both; a hyperlink (OSC 8) open over S would register
//   S's lines with the link service, which is not undone in the same way, so no skip then.
// What is checked before a skip, right after P was parsed (`canSkip`): the parser is in the ground state
// (not inside an escape sequence or an OSC/DCS string, which plain bytes would continue), the normal
// buffer with the default scroll region (DECSTBM keeps lines outside the region, and a cursor outside it
// does not scroll) and its viewport at the bottom, no hyperlink open, the cursor at column 0. The parser
// state, the scroll region and the open link are not in xterm's public API: they are read from its
// internals through `internals()` below; when any of them is missing (another xterm version) there is no
// skip, and `plain-lines.test.ts` fails so the upgrade is noticed. When not sure, parse every byte.
import type { Terminal } from "@xterm/headless";

const LF = 0x0a;
const CR = 0x0d;
const ESC = 0x1b;

/** 1 for the bytes a skipped run may hold: printable ASCII, TAB, LF, CR. */
const PLAIN = new Uint8Array(256);
PLAIN.fill(1, 0x20, 0x7f);
PLAIN[0x09] = PLAIN[LF] = PLAIN[CR] = 1;

/** A stretch [from, to) of `data` whose parsing cannot change the final state. */
export interface Skip {
  from: number;
  to: number;
}

/** Line feeds the rest of a run needs after a skip, for a terminal of `rows` rows and `scrollback`. */
export function linesToFill(rows: number, scrollback: number): number {
  return 2 * rows + scrollback - 1;
}

/**
 * The first stretch of `data` that may be skipped: inside a run of plain bytes, from right after its
 * first "\r\n" to right after the last "\r\n" that leaves at least `need` line feeds in the run after it.
 * Null when no run is long enough.
 */
export function findSkip(data: Uint8Array, need: number): Skip | null {
  const n = data.length;
  // A run needs more than `need` lines of at least "\r\n": stretches between two ESCs (found natively)
  // that are shorter cannot hold one. Such a stretch covers a whole window of half its length, so when
  // every window holds an ESC there is none: coloured output costs one indexOf per window.
  const minRun = 2 * (need + 1);
  const half = minRun >> 1;
  let clean = false;
  for (let w = 0; w + half <= n && !clean; w += half) {
    const esc = data.indexOf(ESC, w);
    clean = esc < 0 || esc >= w + half;
  }
  if (!clean) return null;
  for (let seg = 0; seg < n; ) {
    const esc = data.indexOf(ESC, seg);
    const end = esc < 0 ? n : esc;
    if (end - seg >= minRun) {
      const skip = findInSegment(data, seg, end, need);
      if (skip) return skip;
    }
    seg = end + 1;
  }
  return null;
}

/** findSkip within [seg, end), which holds no ESC. */
function findInSegment(data: Uint8Array, seg: number, end: number, need: number): Skip | null {
  let i = seg;
  while (i < end) {
    while (i < end && PLAIN[data[i] as number] === 0) i++;
    const start = i;
    const from = firstLineEnd(data, start, end);
    const run = scanRun(data, start, end);
    i = run.end;
    if (from < 0 || from > run.end || run.feeds <= need) continue;
    // Walk back from the run's end to the last "\r\n" with `need` line feeds after it.
    let after = 0;
    for (let j = data.lastIndexOf(LF, run.end - 1); j > from; j = data.lastIndexOf(LF, j - 1)) {
      if (after >= need && data[j - 1] === CR) return { from, to: j + 1 };
      after++;
    }
  }
  return null;
}

/** Right after the first "\r\n" of the plain run starting at `start`; -1 when it has none. */
function firstLineEnd(data: Uint8Array, start: number, end: number): number {
  for (let i = start + 1; i < end && PLAIN[data[i] as number] === 1; i++) {
    if (data[i] === LF && data[i - 1] === CR) return i + 1;
  }
  return -1;
}

/**
 * Where the plain run starting at `start` ends, and its line feeds. Four bytes at a time where the
 * buffer allows it: a word with no byte >= 0x80, < 0x20 or = 0x7F is four printable characters; only
 * the other words (line ends, the run's end) are looked at byte by byte.
 */
function scanRun(data: Uint8Array, start: number, end: number): { end: number; feeds: number } {
  let feeds = 0;
  let i = start;
  const aligned = (data.byteOffset + i + 3) & ~3;
  for (; data.byteOffset + i < aligned; i++) {
    if (i === end) return { end, feeds };
    const b = data[i] as number;
    if (PLAIN[b] === 0) return { end: i, feeds };
    if (b === LF) feeds++;
  }
  const words = new Uint32Array(data.buffer, data.byteOffset + i, (end - i) >> 2);
  for (let w = 0; w < words.length; w++) {
    const x = words[w] as number;
    const y = x ^ 0x7f7f7f7f;
    if (
      ((x & 0x80808080) | ((x - 0x20202020) & ~x & 0x80808080) | ((y - 0x01010101) & ~y & 0x80808080)) ===
      0
    )
      continue;
    const at = i + 4 * w;
    for (let k = at; k < at + 4; k++) {
      const b = data[k] as number;
      if (PLAIN[b] === 0) return { end: k, feeds };
      if (b === LF) feeds++;
    }
  }
  for (i += 4 * words.length; i < end; i++) {
    const b = data[i] as number;
    if (PLAIN[b] === 0) return { end: i, feeds };
    if (b === LF) feeds++;
  }
  return { end, feeds };
}

/** The run of plain bytes that ends `data`: where it starts (data.length when the last byte is not
 * plain) and its line feeds. */
export function trailingRun(data: Uint8Array): { start: number; feeds: number } {
  let i = data.length;
  let feeds = 0;
  for (; i > 0; i--) {
    const b = data[i - 1] as number;
    if (PLAIN[b] === 0) break;
    if (b === LF) feeds++;
  }
  return { start: i, feeds };
}

/** The parts of xterm's state the public API does not show; undefined fields mean "not known". */
interface Internals {
  _core?: {
    _inputHandler?: {
      _parser?: { currentState?: number };
      _parseStack?: { paused?: boolean };
      _curAttrData?: { extended?: { urlId?: number } };
    };
    buffer?: { scrollTop?: number; scrollBottom?: number };
  };
}

const GROUND = 0;

function internals(term: Terminal): Internals["_core"] {
  return (term as unknown as Internals)._core;
}

/** Whether a skip may start where the terminal stands now (see the header). */
export function canSkip(term: Terminal): boolean {
  const b = term.buffer.active;
  if (b.type !== "normal" || b.viewportY !== b.baseY || b.cursorX !== 0) return false;
  const core = internals(term);
  const input = core?._inputHandler;
  return (
    input?._parser?.currentState === GROUND &&
    input._parseStack?.paused === false &&
    input._curAttrData?.extended?.urlId === 0 &&
    core?.buffer?.scrollTop === 0 &&
    core.buffer.scrollBottom === term.rows - 1
  );
}
