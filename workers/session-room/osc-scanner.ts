// Scans the target's output for what the command tracker needs and removes the shell-integration marks
// before viewers and the recording see them: OSC 133 A/B/C/D (prompt start, prompt end, command start,
// command end with exit status) and E (the line the shell is about to run), emitted by the agent's bash/zsh
// integration, and the private modes that change how input must be read (alternate screen for
// vim/less/top, bracketed paste). Sequences split across chunks are carried over. Written by hand: it is a
// small state machine over bytes on the hot path, and terminal parsers on npm model a whole screen.
//
// Marks are authenticated (docs/execution-guard.md): each carries `k=<session mark key>` as its last field.
// EVERY OSC 133 sequence is removed from the output, but only marks with the session's key become events;
// any other one (a hostile PS1, a file being printed, a program imitating the integration) becomes a
// `forged-mark` event and changes nothing. An OSC left open is ended by the next ESC (as terminals do), so
// printing an unterminated `ESC ] 133 ;` cannot swallow the integration's next real mark.
import { timingSafeEqual } from "@nostromo/crypto";

/** `l` the whole accepted line, `c` the same from a subshell that runs first, `s` one simple command. */
export type ExecMode = "line" | "subshell" | "simple";
const EXEC_MODES = new Map<string, ExecMode>([
  ["l", "line"],
  ["c", "subshell"],
  ["s", "simple"],
]);

export type ScanEvent =
  | { kind: "prompt-start" }
  /** `guard`: the shell reports each line before running it and reads a verdict (B carries `g`). */
  | { kind: "prompt-end"; guard: boolean }
  | { kind: "command-start" }
  | { kind: "command-end"; exitCode: number | null }
  /** The shell is about to run `line` and waits for the room's verdict on `nonce` (execution guard).
   * `subshell`: the whole line, reported by a subshell that runs before the shell itself reaches the line
   * (a `$(…)` in a `for` list); the shell reports the same line again when it gets there. */
  | { kind: "exec"; mode: ExecMode; nonce: string; line: string }
  /** An OSC 133 sequence without the session's key: stripped and ignored. */
  | { kind: "forged-mark"; mark: string }
  | { kind: "alt-screen"; on: boolean }
  | { kind: "bracketed-paste"; on: boolean };

export interface ScanPiece {
  /** Output bytes (marks removed) that come before `event`. */
  bytes: Uint8Array;
  event: ScanEvent | null;
}

const ESC = 0x1b;
const BEL = 0x07;
const MAX_CARRY = 256;
/** An E mark carries a whole command line (percent-encoded); longer marks are dropped (fail closed). */
export const MAX_MARK = 64 * 1024;
const MARK_PREFIX = [0x31, 0x33, 0x33, 0x3b]; // "133;"
const ECHO_WAIT_MS = 2_000;
const decoder = new TextDecoder();

function privateMode(params: string, final: number): ScanEvent[] {
  const on = final === 0x68; // h
  const out: ScanEvent[] = [];
  for (const p of params.split(";")) {
    if (p === "1049" || p === "47" || p === "1047") out.push({ kind: "alt-screen", on });
    if (p === "2004") out.push({ kind: "bracketed-paste", on });
  }
  return out;
}

/** Percent-decoding of the E mark's line; a malformed escape makes the whole mark unusable. */
function decodeLine(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** One OSC 133 body ("133;…") → its event: authenticated marks as themselves, anything else forged. */
export function osc133(body: string, key: string | null): ScanEvent {
  const fields = body.split(";");
  const code = fields[1] ?? "";
  const last = fields[fields.length - 1] ?? "";
  const forged: ScanEvent = { kind: "forged-mark", mark: code.slice(0, 8) };
  if (!key || fields.length < 3 || !last.startsWith("k=") || !timingSafeEqual(last.slice(2), key))
    return forged;
  const args = fields.slice(2, -1);
  if (code === "A" && args.length === 0) return { kind: "prompt-start" };
  if (code === "B" && args.length === 0) return { kind: "prompt-end", guard: false };
  if (code === "B" && args.length === 1 && args[0] === "g") return { kind: "prompt-end", guard: true };
  if (code === "C" && args.length === 0) return { kind: "command-start" };
  if (code === "D" && args.length === 1) {
    const n = args[0] === "" ? Number.NaN : Number(args[0]);
    return { kind: "command-end", exitCode: Number.isInteger(n) ? n : null };
  }
  if (code === "E" && args.length === 3) {
    const [mode, nonce, encoded] = args as [string, string, string];
    const line = decodeLine(encoded);
    const m = EXEC_MODES.get(mode);
    if (m && /^[0-9A-Za-z]{8,64}$/.test(nonce) && line !== null)
      return { kind: "exec", mode: m, nonce, line };
  }
  return forged;
}

function startsWith(data: Uint8Array, at: number, prefix: number[]): boolean {
  for (let k = 0; k < prefix.length; k++) {
    if (at + k >= data.length) return true; // not known yet: treat as a possible mark
    if (data[at + k] !== prefix[k]) return false;
  }
  return true;
}

export class OscScanner {
  private carry: Uint8Array = new Uint8Array(0);

  /** Echoes of guard verdicts still expected in the output (see expectEcho). */
  private echoes: { bytes: Uint8Array; until: number }[] = [];

  /** The session's mark key; with none, no mark is authentic. */
  constructor(public key: string | null = null) {}

  /** A verdict written to the shell (`#<nonce><v>\n`) is echoed by the terminal when it arrives before
   * the shell's `read -s` turned echo off: that echo, if it comes within ECHO_WAIT_MS, is removed. */
  expectEcho(text: string, now = Date.now()): void {
    this.echoes = this.echoes.filter((e) => e.until > now).slice(-8);
    this.echoes.push({
      bytes: new TextEncoder().encode(`${text.replace(/\n$/, "")}\r\n`),
      until: now + ECHO_WAIT_MS,
    });
  }

  private dropEchoes(data: Uint8Array): Uint8Array {
    const now = Date.now();
    this.echoes = this.echoes.filter((e) => e.until > now);
    let out = data;
    for (const e of [...this.echoes]) {
      const at = indexOf(out, e.bytes);
      if (at < 0) continue;
      out = concat(out.subarray(0, at), out.subarray(at + e.bytes.length));
      this.echoes.splice(this.echoes.indexOf(e), 1);
    }
    return out;
  }

  /** Splits a chunk into pieces: bytes to pass on, each followed by the event that ends it. */
  scan(chunk: Uint8Array): ScanPiece[] {
    const joined = this.carry.length ? concat(this.carry, chunk) : chunk;
    const data = this.echoes.length ? this.dropEchoes(joined) : joined;
    this.carry = new Uint8Array(0);
    const pieces: ScanPiece[] = [];
    let keepFrom = 0;
    const out: Uint8Array[] = [];
    const emit = (event: ScanEvent | null) => {
      pieces.push({ bytes: concat(...out), event });
      out.length = 0;
    };
    let i = 0;
    while (i < data.length) {
      if (data[i] !== ESC) {
        i += 1;
        continue;
      }
      const next = data[i + 1];
      if (next === undefined) break; // incomplete: carry
      if (next === 0x5d) {
        // OSC: ESC ] ... (BEL | ESC \); another ESC ends it unfinished.
        const isMark = startsWith(data, i + 2, MARK_PREFIX);
        const limit = isMark ? MAX_MARK : MAX_CARRY;
        let end = -1;
        let termLen = 0;
        let aborted = false;
        for (let j = i + 2; j < data.length; j++) {
          if (data[j] === BEL) {
            end = j;
            termLen = 1;
            break;
          }
          if (data[j] === ESC) {
            if (j + 1 >= data.length) break; // ESC \ or a new sequence: not known yet
            end = j;
            termLen = data[j + 1] === 0x5c ? 2 : 0;
            aborted = termLen === 0;
            break;
          }
          if (j - i > limit) break;
        }
        if (end < 0) {
          if (data.length - i <= limit) break; // incomplete: carry
          i += 2;
          continue;
        }
        if (aborted || !isMark) {
          i = end + termLen;
          continue;
        }
        const ev = osc133(decoder.decode(data.subarray(i + 2, end)), this.key);
        out.push(data.subarray(keepFrom, i));
        keepFrom = end + termLen;
        emit(ev);
        i = end + termLen;
        continue;
      }
      if (next === 0x5b && data[i + 2] === 0x3f) {
        // CSI ? params (h|l)
        let j = i + 3;
        while (j < data.length && (data[j] as number) >= 0x30 && (data[j] as number) <= 0x3f) j++;
        if (j >= data.length) {
          if (data.length - i <= MAX_CARRY) break;
          i = j;
          continue;
        }
        const final = data[j] as number;
        if (final === 0x68 || final === 0x6c) {
          const evs = privateMode(decoder.decode(data.subarray(i + 3, j)), final);
          if (evs.length) {
            out.push(data.subarray(keepFrom, j + 1));
            keepFrom = j + 1;
            for (const ev of evs) emit(ev);
          }
        }
        i = j + 1;
        continue;
      }
      i += 1;
    }
    if (i < data.length) {
      // An escape sequence started but did not finish in this chunk: keep it for the next one.
      out.push(data.subarray(keepFrom, i));
      this.carry = data.slice(i);
    } else {
      out.push(data.subarray(keepFrom));
    }
    emit(null);
    return pieces.filter((p) => p.bytes.length > 0 || p.event);
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (
    let i = hay.indexOf(first as number);
    i >= 0 && i <= hay.length - needle.length;
    i = hay.indexOf(first as number, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Terminal output as plain text for command records: escape sequences removed, CRLF → LF. */
export function plainText(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal control sequences is the point
      .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      .replace(/\u001b[@-Z\\-_]/g, "")
      .replace(/\r\n/g, "\n")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
  );
}
