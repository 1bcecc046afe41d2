// What the shell's verdict read swallows, and how to give it back. With the execution guard on, the shell's
// DEBUG trap reads the room's verdict from the terminal (`read` until a newline): every byte waiting in the
// terminal at that moment — lines typed ahead while the previous command ran — is read, and thrown away,
// before the verdict. The room holds what is typed behind a line it approved at the prompt, but lines typed
// while a command runs are a program's input as far as the room can tell, so they go out at once; when the
// command ends, readline takes the first of them, and the trap's read took the rest (seen end to end: of
// two lines typed during `sleep`, the second never ran).
//
// This log keeps what was forwarded since the shell last took a line the room knows of. When the shell
// reports a line the room did not approve, the line is looked up in the log: the bytes after it are what
// the verdict read swallows, and are sent again behind the verdict. Only an exact, unique match counts —
// a line typed twice, edited, or consumed by a program in between makes the place unknowable, and then
// nothing is sent again: sending a line twice could run it twice, losing it only loses it.
// Hand-written: this is a property of the integration's protocol, not something a library models.

/** Enough for any burst of type-ahead; older bytes are dropped (a match then fails safe: nothing resent). */
export const TYPE_AHEAD_LOG_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;

export class TypeAheadLog {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  /** Bytes that went to the terminal. */
  note(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.bytes += bytes.length;
    while (this.bytes > TYPE_AHEAD_LOG_BYTES && this.chunks.length > 1) {
      this.bytes -= (this.chunks.shift() as Uint8Array).length;
    }
  }

  /** The shell took a line the room knows all about (everything before was that line). */
  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }

  /**
   * The shell is about to run `line`, which it read from the terminal: the bytes that followed it there
   * (the verdict read swallows them), or null when the line is not found exactly once as a whole line.
   * The log is emptied either way: what it held is now read, by the shell or by the trap.
   */
  swallowedAfter(line: string): Uint8Array | null {
    const log = this.take();
    const needle = new TextEncoder().encode(line);
    if (needle.length === 0 || needle.includes(CR) || needle.includes(LF)) return null;
    let found = -1;
    for (let at = 0; at + needle.length < log.length; at++) {
      if (at > 0 && log[at - 1] !== CR && log[at - 1] !== LF) continue;
      const end = log[at + needle.length];
      if (end !== CR && end !== LF) continue;
      if (!matches(log, at, needle)) continue;
      if (found >= 0) return null;
      found = at;
    }
    if (found < 0) return null;
    const rest = log.subarray(found + needle.length + 1);
    return rest.length > 0 ? rest : null;
  }

  private take(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.clear();
    return out;
  }
}

function matches(hay: Uint8Array, at: number, needle: Uint8Array): boolean {
  for (let i = 0; i < needle.length; i++) if (hay[at + i] !== needle[i]) return false;
  return true;
}
