// The keystroke model of the command tracker: finds, in what a typist sends, every key that makes bash or
// readline accept a line — CR (Ctrl-M), LF (Ctrl-J), Ctrl-O (operate-and-get-next) and Meta-# (insert-comment,
// which with a numeric argument uncomments the line and runs it) — and keeps the printable text typed
// since the line began, so a line can be judged the moment the screen shows exactly that text. Written by
// hand: it is a few states over bytes on the input path; terminal libraries parse output, not keystrokes.
//
// Bracketed paste: a newline inside ESC[200~ … ESC[201~ only stays text when the reader asked for bracketed
// paste (the tracker says so per call); to any other reader (sh, cat, a program in canonical mode) the
// markers are plain bytes and every newline accepts a line.

/** `paste-line`: a newline inside a bracketed paste the reader asked for — text to readline, but judged
 * before it is sent as if it ran (a reader that stops honouring the markers, e.g. after
 * `bind -r '\e[200~'`, would run it). */
export type AcceptKind = "enter" | "operate" | "comment" | "paste-line";

export interface Accept {
  /** Index of the first byte of the key. */
  at: number;
  /** Length of the key in bytes (1, or 2 for Meta-#). */
  len: number;
  kind: AcceptKind;
}

const ESC = 0x1b;
const CR = 0x0d;
const LF = 0x0a;
const CTRL_O = 0x0f;
const HASH = 0x23;
const PASTE_START = [ESC, 0x5b, 0x32, 0x30, 0x30, 0x7e]; // ESC [ 200 ~
const PASTE_END = [ESC, 0x5b, 0x32, 0x30, 0x31, 0x7e]; // ESC [ 201 ~
const MAX_TYPED = 16_384;

type EscState = "none" | "esc" | "csi" | "ss3";

function startsWith(buf: Uint8Array, seq: number[], at: number): boolean {
  for (let j = 0; j < seq.length; j++) if (buf[at + j] !== seq[j]) return false;
  return true;
}

export class KeyModel {
  /** Printable text typed since the line began (backspace applied). */
  typed = "";
  /** Printable text typed since the last other key: the screen must end with it before a line is read. */
  tail = "";
  /** Only printable keys and backspace since the line began: `typed` is what an echoing reader shows. */
  plain = true;
  /** Inside a bracketed paste (between the markers). */
  pasting = false;
  /** Text of the bracketed paste being typed since it began or since its last newline. */
  pasteText = "";
  private esc: EscState = "none";
  private csiParams = "";
  private readonly utf8 = new TextDecoder();

  /** A new line begins (after an accepted or cancelled line). `plain` says whether the reader starts it
   * empty (false after operate-and-get-next, which loads the next history line). */
  reset(plain = true): void {
    this.typed = "";
    this.tail = "";
    this.plain = plain;
  }

  /**
   * The next line-accepting key in `buf` at or after `from`; updates the paste state for the bytes it
   * passes. `shieldPaste`: newlines inside a bracketed paste are text (the reader asked for it).
   */
  findAccept(buf: Uint8Array, from: number, shieldPaste: boolean): Accept | null {
    let esc = this.esc;
    for (let i = from; i < buf.length; i++) {
      const b = buf[i] as number;
      if (startsWith(buf, PASTE_START, i)) {
        this.pasting = true;
        i += PASTE_START.length - 1;
        esc = "none";
        continue;
      }
      if (startsWith(buf, PASTE_END, i)) {
        this.pasting = false;
        i += PASTE_END.length - 1;
        esc = "none";
        continue;
      }
      if (esc === "esc") {
        esc = b === 0x5b ? "csi" : b === 0x4f ? "ss3" : "none";
        if (b === HASH && !this.pasting) return { at: i - 1, len: 2, kind: "comment" };
        continue;
      }
      if (esc === "csi") {
        if (b >= 0x40 && b <= 0x7e) esc = "none";
        continue;
      }
      if (esc === "ss3") {
        esc = "none";
        continue;
      }
      if (b === ESC) {
        esc = "esc";
        continue;
      }
      if (b === CR || b === LF)
        return { at: i, len: 1, kind: this.pasting && shieldPaste ? "paste-line" : "enter" };
      if (this.pasting && shieldPaste) continue;
      if (b === CTRL_O) return { at: i, len: 1, kind: "operate" };
    }
    return null;
  }

  /** Notes bytes forwarded to the reader that are not an accepting key. */
  note(bytes: Uint8Array): void {
    let run = -1;
    const flush = (end: number) => {
      if (run < 0) return;
      const text = this.utf8.decode(bytes.subarray(run, end), { stream: true });
      this.typed += text;
      this.tail += text;
      this.pasteText += text;
      run = -1;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (this.esc === "none" && b >= 0x20 && b !== 0x7f) {
        if (run < 0) run = i;
        continue;
      }
      flush(i);
      if (this.esc !== "none") {
        // Escape sequences (arrows, Meta keys, paste markers) edit the line in ways only the reader knows.
        if (this.esc === "esc") {
          this.esc = b === 0x5b ? "csi" : b === 0x4f ? "ss3" : "none";
          this.csiParams = "";
        } else if (this.esc === "ss3") this.esc = "none";
        else if (b >= 0x40 && b <= 0x7e) {
          this.esc = "none";
          // A paste begins: its text is collected anew.
          if (b === 0x7e && this.csiParams === "200") this.pasteText = "";
        } else this.csiParams += String.fromCharCode(b);
      } else if (b === ESC) {
        this.esc = "esc";
        this.plain = false;
        this.tail = "";
      } else if (b === 0x7f || b === 0x08) {
        this.typed = [...this.typed].slice(0, -1).join("");
        this.tail = [...this.tail].slice(0, -1).join("");
      } else {
        // Any other control key (Tab, Ctrl-R, Ctrl-U, a key bound to a macro…): only the screen can tell.
        this.plain = false;
        this.tail = "";
        if (b === 0x15 || b === 0x03) this.typed = "";
      }
    }
    flush(bytes.length);
    if (this.typed.length > MAX_TYPED) {
      this.typed = this.typed.slice(-MAX_TYPED);
      this.plain = false;
    }
    if (this.tail.length > 4_096) this.tail = this.tail.slice(-4_096);
  }
}
