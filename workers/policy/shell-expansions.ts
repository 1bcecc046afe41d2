// The expansion half of the shell lexer: double quotes, $-expansions (parameters, arithmetic, $'…'),
// ${…} with $IFS splitting, command substitutions $( … ) and backticks (which re-enter the grammar through
// parseList), and the values substitutions produce. Split from shell-lexer.ts, which reads words and calls
// these through abstract methods.

import { MAX_DEPTH, type RawCommand } from "./parse-context.ts";
import {
  AT,
  BACKSLASH,
  BACKTICK,
  BANG,
  DOLLAR,
  DQUOTE,
  HASH,
  isDigit,
  isNameChar,
  isNameStart,
  LBRACE,
  LPAREN,
  NL,
  QMARK,
  RBRACE,
  SQUOTE,
  STAR,
} from "./shell-chars.ts";
import { ShellLexer } from "./shell-lexer.ts";
import {
  basename,
  decodeEscapes,
  expandWords,
  producedText,
  S_EXP_END,
  S_EXP_START,
  S_SPLIT,
  stripSentinels,
  W_EXP,
  W_QUOTED,
  W_SPLIT,
} from "./shell-words.ts";

export abstract class ShellExpansions extends ShellLexer {
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
