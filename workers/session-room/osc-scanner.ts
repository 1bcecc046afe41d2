// Scans the target's output for what the command tracker needs and removes the shell-integration marks
// before viewers and the recording see them: OSC 133 A/B/C/D (prompt start, prompt end, command start,
// command end with exit status — emitted by the agent's bash/zsh integration), and the private modes that
// change how input must be read (alternate screen for vim/less/top, bracketed paste). Sequences split
// across chunks are carried over. Written by hand: it is a small state machine over bytes on the hot path,
// and terminal parsers on npm model a whole screen, not this.

export type ScanEvent =
  | { kind: "prompt-start" }
  | { kind: "prompt-end" }
  | { kind: "command-start" }
  | { kind: "command-end"; exitCode: number | null }
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

function osc133(body: string): ScanEvent | null {
  const [, code, arg] = /^133;([ABCD])(?:;([^;]*))?/.exec(body) ?? [];
  if (code === "A") return { kind: "prompt-start" };
  if (code === "B") return { kind: "prompt-end" };
  if (code === "C") return { kind: "command-start" };
  if (code === "D") {
    const n = arg === undefined || arg === "" ? Number.NaN : Number(arg);
    return { kind: "command-end", exitCode: Number.isInteger(n) ? n : null };
  }
  return null;
}

export class OscScanner {
  private carry: Uint8Array = new Uint8Array(0);

  /** Splits a chunk into pieces: bytes to pass on, each followed by the event that ends it. */
  scan(chunk: Uint8Array): ScanPiece[] {
    const data = this.carry.length ? concat(this.carry, chunk) : chunk;
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
        // OSC: ESC ] ... (BEL | ESC \)
        let end = -1;
        let termLen = 0;
        for (let j = i + 2; j < data.length; j++) {
          if (data[j] === BEL) {
            end = j;
            termLen = 1;
            break;
          }
          if (data[j] === ESC && data[j + 1] === 0x5c) {
            end = j;
            termLen = 2;
            break;
          }
          if (j - i > MAX_CARRY) break;
        }
        if (end < 0) {
          if (data.length - i <= MAX_CARRY) break; // incomplete: carry
          i += 2;
          continue;
        }
        const body = decoder.decode(data.subarray(i + 2, end));
        const ev = osc133(body);
        if (ev) {
          out.push(data.subarray(keepFrom, i));
          keepFrom = end + termLen;
          emit(ev);
        }
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
