// Lexical layer of the shell parser: words in every quoting form ('…', "…", $'…', backslashes), parameter
// and arithmetic expansions, command and process substitutions (which re-enter the grammar through
// parseList), redirections and here-documents. Words come out sentinel-encoded (shell-words.ts) so
// brace expansion, $IFS splitting and "is the program name dynamic" can be decided after quote removal.

import { MAX_DEPTH, type ParseContext, type RawCommand, type RawRedirect } from "./parse-context.ts";
import {
  basename,
  decodeEscapes,
  decodeField,
  expandWords,
  producedText,
  type RawWord,
  S_BRACE_CLOSE,
  S_BRACE_COMMA,
  S_BRACE_OPEN,
  S_EXP_END,
  S_EXP_START,
  S_GLOB,
  S_SPLIT,
  stripSentinels,
  W_BRACE,
  W_EXP,
  W_GLOB,
  W_QUOTED,
  W_SPLIT,
} from "./shell-words.ts";

export const NL = 10;
export const SP = 32;
export const TAB = 9;
export const BANG = 33;
export const DQUOTE = 34;
export const HASH = 35;
export const DOLLAR = 36;
export const AMP = 38;
export const SQUOTE = 39;
export const LPAREN = 40;
export const RPAREN = 41;
export const STAR = 42;
export const COMMA = 44;
export const SEMI = 59;
export const LT = 60;
export const GT = 62;
export const QMARK = 63;
export const AT = 64;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const BACKTICK = 96;
export const LBRACE = 123;
export const PIPE = 124;
export const RBRACE = 125;

export const T_PLAIN = 0;
export const T_END = 1;
export const T_SPECIAL = 2;
export const CHAR_CLASS = new Uint8Array(128);
for (const ch of " \t\n;&|()<>") CHAR_CLASS[ch.charCodeAt(0)] = T_END;
for (const ch of "\\'\"$`{,}*?[@!+") CHAR_CLASS[ch.charCodeAt(0)] = T_SPECIAL;

export const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
export const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57);
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

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

  protected readDouble(): string {
    const s = this.s;
    const n = s.length;
    this.i++;
    let out = "";
    let from = this.i;
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      if (c === DQUOTE) {
        out += s.slice(from, this.i);
        this.i++;
        return out;
      }
      if (c === BACKSLASH) {
        out += s.slice(from, this.i);
        const d = s.charCodeAt(this.i + 1);
        if (d === DOLLAR || d === BACKTICK || d === DQUOTE || d === BACKSLASH) {
          out += s.charAt(this.i + 1);
          this.i += 2;
        } else if (d === NL) {
          this.i += 2;
        } else {
          out += "\\";
          this.i++;
        }
        from = this.i;
        continue;
      }
      if (c === DOLLAR || c === BACKTICK) {
        out += s.slice(from, this.i);
        out += c === DOLLAR ? this.readDollar(true) : this.readBacktick();
        from = this.i;
        continue;
      }
      this.i++;
    }
    this.ctx.incomplete = true;
    return out + s.slice(from);
  }

  protected readDollar(quoted: boolean): string {
    const s = this.s;
    const start = this.i;
    const c1 = s.charCodeAt(start + 1);
    if (c1 === LPAREN) {
      if (!(s.charCodeAt(start + 2) === LPAREN && this.arith(start + 3))) this.substitution(start, 2);
      this.wbits |= W_EXP;
      return S_EXP_START + s.slice(start, this.i) + S_EXP_END;
    }
    if (c1 === LBRACE) {
      const text = this.paramBraces(quoted);
      if (text.startsWith("${IFS") && !isNameChar(text.charCodeAt(5))) return this.ifs(quoted);
      this.wbits |= W_EXP;
      return S_EXP_START + text + S_EXP_END;
    }
    if (c1 === SQUOTE && !quoted) {
      let j = start + 2;
      while (j < s.length && s.charCodeAt(j) !== SQUOTE) j += s.charCodeAt(j) === BACKSLASH ? 2 : 1;
      if (j >= s.length) this.ctx.incomplete = true;
      this.i = Math.min(j + 1, s.length);
      this.wbits |= W_QUOTED;
      return stripSentinels(decodeEscapes(s.slice(start + 2, Math.min(j, s.length))));
    }
    if (c1 === DQUOTE && !quoted) {
      this.i = start + 1;
      this.wbits |= W_QUOTED;
      return this.readDouble();
    }
    if (isNameStart(c1)) {
      let j = start + 2;
      while (isNameChar(s.charCodeAt(j))) j++;
      this.i = j;
      if (j - start === 4 && s.startsWith("IFS", start + 1)) return this.ifs(quoted);
      this.wbits |= W_EXP;
      return S_EXP_START + s.slice(start, j) + S_EXP_END;
    }
    if (
      isDigit(c1) ||
      c1 === AT ||
      c1 === STAR ||
      c1 === HASH ||
      c1 === QMARK ||
      c1 === DOLLAR ||
      c1 === BANG
    ) {
      this.i = start + 2;
      this.wbits |= W_EXP;
      return S_EXP_START + s.slice(start, start + 2) + S_EXP_END;
    }
    if (c1 === 45 /* - */) {
      this.i = start + 2;
      this.wbits |= W_EXP;
      return S_EXP_START + s.slice(start, start + 2) + S_EXP_END;
    }
    this.i = start + 1;
    return "$";
  }

  /** Unquoted $IFS splits the word (default IFS is blanks); quoted, it is a blank inside it. */
  protected ifs(quoted: boolean): string {
    if (quoted) return " ";
    this.wbits |= W_SPLIT;
    return S_SPLIT;
  }

  protected paramBraces(quoted: boolean): string {
    const s = this.s;
    const start = this.i;
    this.i += 2;
    let depth = 1;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === BACKSLASH) this.i += 2;
      else if (c === SQUOTE && !quoted) {
        const e = s.indexOf("'", this.i + 1);
        this.i = e < 0 ? s.length : e + 1;
      } else if (c === DQUOTE) this.readDouble();
      else if (c === DOLLAR) this.readDollar(true);
      else if (c === BACKTICK) this.readBacktick();
      else {
        if (c === LBRACE) depth++;
        else if (c === RBRACE && --depth === 0) {
          this.i++;
          return s.slice(start, this.i);
        }
        this.i++;
      }
    }
    this.ctx.incomplete = true;
    return s.slice(start);
  }

  /** $( … ), <( … ), >( … ) from `start`; returns the source text of the whole substitution. */
  protected substitution(start: number, openLength: number): string {
    this.i = start + openLength;
    const saved = this.wbits;
    if (this.depth + this.level + 1 > MAX_DEPTH) {
      this.ctx.depthExceeded = true;
      this.i = this.balancedEnd(start + openLength - 1);
    } else {
      const first = this.raws.length;
      this.level++;
      this.parseList(true);
      this.level--;
      this.recordValue(this.s.slice(start, this.i), this.raws.slice(first), this.level + 1);
    }
    this.wbits = saved;
    return this.s.slice(start, this.i);
  }

  protected readBacktick(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    let content = "";
    let from = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === BACKTICK) break;
      if (c === BACKSLASH) {
        const d = s.charCodeAt(this.i + 1);
        if (d === BACKTICK || d === BACKSLASH || d === DOLLAR) {
          content += s.slice(from, this.i) + s.charAt(this.i + 1);
          this.i += 2;
          from = this.i;
          continue;
        }
        this.i++;
      }
      this.i++;
    }
    content += s.slice(from, Math.min(this.i, s.length));
    if (this.i >= s.length) this.ctx.incomplete = true;
    else this.i++;
    const text = s.slice(start, this.i);
    const depth = this.depth + this.level + 1;
    if (depth > MAX_DEPTH) this.ctx.depthExceeded = true;
    else this.recordValue(text, this.ctx.parseNested(content, depth, "substitution"), 0);
    this.wbits |= W_EXP;
    return S_EXP_START + text + S_EXP_END;
  }

  /** `$(echo rm)` is "rm": remembered so a dynamic program name can be resolved. */
  protected recordValue(text: string, raws: RawCommand[], level: number): void {
    let only: RawCommand | null = null;
    for (const raw of raws) {
      if (raw.level !== level) continue;
      if (only !== null) return;
      only = raw;
    }
    if (only === null) return;
    const fields = expandWords(only.words, this.ctx);
    const program = fields[0];
    if (program === undefined || program.dynamic) return;
    const value = producedText(basename(program.text), fields.slice(1), null);
    if (value !== null) this.ctx.setProduced(text, value.trim());
  }
}
