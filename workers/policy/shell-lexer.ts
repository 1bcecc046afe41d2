// Lexical layer of the shell parser: words in every quoting form ('…', "…", $'…', backslashes), parameter
// and arithmetic expansions, command and process substitutions (which re-enter the grammar through
// parseList), redirections and here-documents. Words come out sentinel-encoded (shell-words.ts) so
// brace expansion, $IFS splitting and "is the program name dynamic" can be decided after quote removal.

import type { ParseContext, RawCommand, RawRedirect } from "./parse-context.ts";
import {
  BACKSLASH,
  BACKTICK,
  CHAR_CLASS,
  COMMA,
  DOLLAR,
  DQUOTE,
  GT,
  HASH,
  LBRACE,
  LBRACKET,
  LPAREN,
  LT,
  NL,
  QMARK,
  RBRACE,
  RBRACKET,
  RPAREN,
  SP,
  SQUOTE,
  STAR,
  T_END,
  T_PLAIN,
  TAB,
} from "./shell-chars.ts";
import {
  decodeField,
  type RawWord,
  S_BRACE_CLOSE,
  S_BRACE_COMMA,
  S_BRACE_OPEN,
  S_EXP_END,
  S_EXP_START,
  S_GLOB,
  W_BRACE,
  W_EXP,
  W_GLOB,
  W_QUOTED,
} from "./shell-words.ts";

const REDIRECT_OPS = ["<<<", "<<-", "<<", "<&", "<>", "<", ">>", ">&", ">|", ">", "&>>", "&>"];

interface PendingHeredoc {
  redirect: RawRedirect;
  delimiter: string;
  strip: boolean;
  quoted: boolean;
}

export abstract class ShellLexer {
  i = 0;
  readonly raws: RawCommand[] = [];
  readonly heredocs: PendingHeredoc[] = [];
  /** Nesting of $( … ) inside this source. */
  protected level = 0;
  /** W_* bits of the word being read. */
  protected wbits = 0;

  constructor(
    protected readonly s: string,
    protected readonly depth: number,
    protected readonly ctx: ParseContext,
  ) {}

  /** The grammar: parses a list up to EOF, or up to the `)` closing a substitution when untilParen. */
  abstract parseList(untilParen: boolean): void;

  /** A parser of the same kind for a nested source (an unquoted here-document body). */
  protected abstract spawn(src: string, depth: number): ShellLexer;

  /** Quoting and expansion forms, read by shell-expansions.ts. */
  protected abstract readDouble(): string;
  protected abstract readDollar(quoted: boolean): string;
  protected abstract substitution(start: number, openLength: number): string;
  protected abstract readBacktick(): string;

  protected skipBlanks(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === SP || c === TAB) this.i++;
      else if (c === BACKSLASH && s.charCodeAt(this.i + 1) === NL) this.i += 2;
      else if (c === HASH) {
        const e = s.indexOf("\n", this.i);
        this.i = e < 0 ? s.length : e;
      } else return;
    }
  }

  protected skipBlanksAndNewlines(): void {
    for (;;) {
      this.skipBlanks();
      if (this.s.charCodeAt(this.i) !== NL) return;
      this.i++;
      this.readHeredocs();
    }
  }

  /** At `(`: consumes `( )` (spaces allowed) and says whether it was there. */
  protected emptyParens(): boolean {
    let j = this.i + 1;
    while (this.s.charCodeAt(j) === SP || this.s.charCodeAt(j) === TAB) j++;
    if (this.s.charCodeAt(j) !== RPAREN) return false;
    this.i = j + 1;
    return true;
  }

  protected atWord(): boolean {
    return this.i < this.s.length && CHAR_CLASS[this.s.charCodeAt(this.i)] !== T_END;
  }

  /** Arithmetic `(( … ))` / `$(( … ))` from `start` (just inside the parentheses). False when the text
   * turns out to be nested subshells, `$( (…) … )`; the position is then restored. */
  protected arith(start: number): boolean {
    const s = this.s;
    const save = this.i;
    this.i = start;
    let depth = 0;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === DOLLAR) {
        this.readDollar(true);
        continue;
      }
      if (c === BACKTICK) {
        this.readBacktick();
        continue;
      }
      if (c === DQUOTE) {
        this.readDouble();
        continue;
      }
      if (c === BACKSLASH) {
        this.i += 2;
        continue;
      }
      if (c === LPAREN) depth++;
      else if (c === RPAREN) {
        if (depth === 0) {
          if (s.charCodeAt(this.i + 1) === RPAREN) {
            this.i += 2;
            return true;
          }
          this.i = save;
          return false;
        }
        depth--;
      }
      this.i++;
    }
    this.ctx.incomplete = true;
    return true;
  }

  protected redirect(cmd: RawCommand, fd: string): void {
    const s = this.s;
    let op = ">";
    for (const candidate of REDIRECT_OPS) {
      if (s.startsWith(candidate, this.i)) {
        op = candidate;
        break;
      }
    }
    this.i += op.length;
    this.skipBlanks();
    const r: RawRedirect = { op, fd, target: null, heredoc: null };
    cmd.redirects.push(r);
    const c = s.charCodeAt(this.i);
    const procSub = (c === LT || c === GT) && s.charCodeAt(this.i + 1) === LPAREN;
    if (this.i >= s.length || (CHAR_CLASS[c] === T_END && !procSub)) {
      this.ctx.incomplete = true;
      return;
    }
    r.target = this.readWord();
    if (op === "<<" || op === "<<-") {
      this.heredocs.push({
        redirect: r,
        delimiter: decodeField(r.target.coded).text,
        strip: op === "<<-",
        quoted: (r.target.bits & W_QUOTED) !== 0,
      });
    }
  }

  /** After a newline: the bodies of the here-documents opened on the line just ended. */
  protected readHeredocs(): void {
    const s = this.s;
    while (this.heredocs.length > 0) {
      const h = this.heredocs.shift() as PendingHeredoc;
      let body = "";
      for (;;) {
        if (this.i >= s.length) {
          this.ctx.incomplete = true;
          break;
        }
        const e = s.indexOf("\n", this.i);
        const line = s.slice(this.i, e < 0 ? s.length : e);
        this.i = e < 0 ? s.length : e + 1;
        const cmp = h.strip ? line.replace(/^\t+/, "") : line;
        if (cmp === h.delimiter) break;
        body += `${cmp}\n`;
      }
      h.redirect.heredoc = body;
      // An unquoted delimiter means the body is expanded: its substitutions run.
      if (!h.quoted && (body.includes("$") || body.includes("`"))) {
        const sub = this.spawn(body, this.depth + this.level);
        sub.scanExpansions();
        for (const raw of sub.raws) this.raws.push(raw);
      }
    }
  }

  scanExpansions(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === BACKSLASH) this.i += 2;
      else if (c === DOLLAR) this.readDollar(true);
      else if (c === BACKTICK) this.readBacktick();
      else this.i++;
    }
  }

  protected readWord(): RawWord {
    const s = this.s;
    const n = s.length;
    const start = this.i;
    let out = "";
    let from = this.i;
    let lit = -1;
    this.wbits = 0;
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      const cls = c < 128 ? CHAR_CLASS[c] : T_PLAIN;
      if (cls === T_PLAIN) {
        this.i++;
        continue;
      }
      if (cls === T_END) {
        if ((c === LT || c === GT) && this.i === start && s.charCodeAt(this.i + 1) === LPAREN) {
          if (lit < 0) lit = 0;
          const text = this.substitution(this.i, 2);
          out += S_EXP_START + text + S_EXP_END;
          this.wbits |= W_EXP;
          from = this.i;
          continue;
        }
        break;
      }
      out += s.slice(from, this.i);
      const special = c === BACKSLASH || c === SQUOTE || c === DQUOTE || c === DOLLAR || c === BACKTICK;
      if (special && lit < 0) lit = out.length;
      switch (c) {
        case BACKSLASH:
          if (this.i + 1 >= n) {
            this.ctx.incomplete = true; // a trailing backslash continues the line
            this.i++;
          } else if (s.charCodeAt(this.i + 1) === NL) {
            this.i += 2;
          } else {
            out += s.charAt(this.i + 1);
            this.wbits |= W_QUOTED;
            this.i += 2;
          }
          break;
        case SQUOTE: {
          const e = s.indexOf("'", this.i + 1);
          this.wbits |= W_QUOTED;
          if (e < 0) {
            this.ctx.incomplete = true;
            out += s.slice(this.i + 1);
            this.i = n;
          } else {
            out += s.slice(this.i + 1, e);
            this.i = e + 1;
          }
          break;
        }
        case DQUOTE:
          this.wbits |= W_QUOTED;
          out += this.readDouble();
          break;
        case DOLLAR:
          out += this.readDollar(false);
          break;
        case BACKTICK:
          out += this.readBacktick();
          break;
        case LBRACE:
          out += S_BRACE_OPEN;
          this.wbits |= W_BRACE;
          this.i++;
          break;
        case COMMA:
          out += this.wbits & W_BRACE ? S_BRACE_COMMA : ",";
          this.i++;
          break;
        case RBRACE:
          out += this.wbits & W_BRACE ? S_BRACE_CLOSE : "}";
          this.i++;
          break;
        default:
          // * ? [ are globs; *( ?( +( @( !( are extended globs, read whole
          if (s.charCodeAt(this.i + 1) === LPAREN && c !== LBRACKET) {
            const e = this.balancedEnd(this.i + 1);
            out += S_GLOB + s.slice(this.i, e);
            this.wbits |= W_GLOB;
            this.i = e;
          } else if (c === STAR || c === QMARK || (c === LBRACKET && this.closesBracket())) {
            out += S_GLOB + s.charAt(this.i);
            this.wbits |= W_GLOB;
            this.i++;
          } else {
            out += s.charAt(this.i);
            this.i++;
          }
      }
      from = this.i;
    }
    out += s.slice(from, this.i);
    return { coded: out, bits: this.wbits, lit };
  }

  /** A `[` is a glob only when a `]` closes it within the word (`[ -f x ]` runs the program `[`). */
  protected closesBracket(): boolean {
    const s = this.s;
    for (let j = this.i + 1; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === RBRACKET) return true;
      if (c < 128 && CHAR_CLASS[c] === T_END) return false;
    }
    return false;
  }

  /** End (exclusive) of the parenthesised group opening at `open`, quotes respected. */
  protected balancedEnd(open: number): number {
    const s = this.s;
    let depth = 0;
    for (let j = open; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === BACKSLASH) j++;
      else if (c === SQUOTE) {
        const e = s.indexOf("'", j + 1);
        if (e < 0) break;
        j = e;
      } else if (c === LPAREN) depth++;
      else if (c === RPAREN && --depth === 0) return j + 1;
    }
    this.ctx.incomplete = true;
    return s.length;
  }
}
