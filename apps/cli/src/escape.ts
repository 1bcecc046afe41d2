// ssh-style escapes on the keystrokes of an attached terminal: "~" right after Enter (or first thing)
// starts an escape; "~." disconnects, "~?" lists the escapes, "~~" sends one "~"; "~" followed by anything
// else sends both. Everything else passes through untouched (Ctrl-C included: it belongs to the remote).
export type EscapeAction = "disconnect" | "help";

export class EscapeReader {
  private atLineStart = true;
  private pending = false;

  /** Splits a chunk of keystrokes into what to send and the escapes met, in order. */
  feed(input: Buffer): { send: Buffer; actions: EscapeAction[] } {
    const out: number[] = [];
    const actions: EscapeAction[] = [];
    for (const b of input) {
      if (this.pending) {
        this.pending = false;
        if (b === 0x2e /* . */) {
          actions.push("disconnect");
          return { send: Buffer.from(out), actions };
        }
        if (b === 0x3f /* ? */) {
          actions.push("help");
          this.atLineStart = false;
          continue;
        }
        if (b !== 0x7e) out.push(0x7e);
        out.push(b);
        this.atLineStart = b === 0x0d || b === 0x0a;
        continue;
      }
      if (b === 0x7e /* ~ */ && this.atLineStart) {
        this.pending = true;
        continue;
      }
      out.push(b);
      this.atLineStart = b === 0x0d || b === 0x0a;
    }
    return { send: Buffer.from(out), actions };
  }
}

export const ESCAPE_HELP =
  "\r\nSupported escape sequences:\r\n ~.  - disconnect\r\n ~?  - this message\r\n ~~  - send the escape character\r\n(Escapes are only recognized right after a newline.)\r\n";
