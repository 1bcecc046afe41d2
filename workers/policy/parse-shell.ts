// Shell parser of the policy engine: turns a command line into the simple commands bash would run.
//
// Why a hand-written parser and not a library (evaluated 2025, see docs/policy-engine.md):
// - sh-syntax 0.7 (mvdan/sh as Go WASM) is the most faithful, but its Node entry reads main.wasm with
//   node:fs, workerd only accepts WASM as an imported module, and each call crosses into the Go
//   runtime asynchronously: 4.8 ms per line measured here, against a 10 µs budget.
// - mvdan-sh is the deprecated GopherJS predecessor of sh-syntax; bash-parser (0.5.0, 2017) drags in
//   babylon 6 and is unmaintained; shell-quote only splits words (no grammar, no nesting).
// This parser covers the subset a policy needs — lists, pipelines, subshells, groups, compound
// commands, functions, every quoting form, substitutions, here-documents — in one pass over the text
// with no allocation per character. It is lenient: malformed input still yields the commands it holds,
// plus the `incomplete` flag.
//
// Phase 1 lexes (shell-lexer.ts) and groups words into RawCommands (this file's grammar); phase 2
// (command-semantics.ts) expands them and looks through wrappers, shells, eval, xargs and find.

import { interpret } from "./command-semantics.ts";
import { hasHistoryExpansion, sanitize } from "./line-hygiene.ts";
import { ListState } from "./list-state.ts";
import { MAX_DEPTH, ParseContext, type RawCommand } from "./parse-context.ts";
import {
  AMP,
  CHAR_CLASS,
  GT,
  isDigit,
  LPAREN,
  LT,
  NL,
  PIPE,
  RBRACKET,
  RPAREN,
  SEMI,
  T_END,
} from "./shell-chars.ts";
import { ShellExpansions } from "./shell-expansions.ts";
import type { ShellLexer } from "./shell-lexer.ts";
import { decodeField, type RawWord, S_BRACE_OPEN, S_GLOB, W_BRACE } from "./shell-words.ts";
import type { CommandOrigin, ParseResult } from "./types.ts";

/** Longer lines are not parsed at all: they are flagged too-long and escalated. */
export const MAX_LINE_LENGTH = 16384;

const ASSIGNMENT = new RegExp(`^[A-Za-z_][A-Za-z0-9_]*(?:${S_GLOB}\\[[^\\]]*\\])?\\+?=`);

class Parser extends ShellExpansions {
  /** Open constructs: "(", "{", "if", "loop", "case-pat", "case-body". */
  private readonly stack: string[] = [];

  protected spawn(src: string, depth: number): ShellLexer {
    return new Parser(src, depth, this.ctx);
  }

  /** Parses a list up to EOF, or up to the `)` closing a $( … ) / <( … ) when untilParen. */
  parseList(untilParen: boolean): void {
    const s = this.s;
    const n = s.length;
    const base = this.stack.length;
    const list = new ListState(this.raws, this.level);
    for (;;) {
      this.skipBlanks();
      if (this.i >= n) {
        list.finish();
        if (untilParen || this.stack.length > base) this.ctx.incomplete = true;
        this.stack.length = base;
        return;
      }
      const top = this.stack.length > base ? this.stack[this.stack.length - 1] : "";
      if (top === "case-pat") {
        this.casePattern();
        continue;
      }
      const c = s.charCodeAt(this.i);
      const c1 = s.charCodeAt(this.i + 1);
      switch (c) {
        case NL:
          list.end();
          this.i++;
          this.readHeredocs();
          continue;
        case SEMI:
          list.end();
          if (c1 === SEMI || c1 === AMP) {
            this.i += c1 === SEMI && s.charCodeAt(this.i + 2) === AMP ? 3 : 2;
            if (top === "case-body") this.stack[this.stack.length - 1] = "case-pat";
            else this.ctx.incomplete = true;
          } else {
            this.i++;
          }
          continue;
        case AMP:
          if (c1 === GT) {
            this.redirect(list.ensure(), "");
            continue;
          }
          list.end();
          this.i += c1 === AMP ? 2 : 1;
          continue;
        case PIPE:
          if (c1 === PIPE) {
            list.end();
            this.i += 2;
          } else {
            list.pipeFrom = list.finish();
            this.i += c1 === AMP ? 2 : 1;
          }
          continue;
        case LPAREN: {
          const open = list.cur;
          if (open !== null && open.words.length === 1 && this.emptyParens()) {
            list.cur = null; // `name () body`: a function definition, its body follows as a compound command
            continue;
          }
          if (open === null || open.words.length === 0) {
            if (c1 === LPAREN && this.arith(this.i + 2)) continue;
            this.stack.push("(");
            this.i++;
            continue;
          }
          this.ctx.incomplete = true;
          this.i++;
          continue;
        }
        case RPAREN:
          list.end();
          this.i++;
          if (top === "(") {
            this.stack.pop();
            continue;
          }
          if (untilParen) {
            if (this.stack.length > base) this.ctx.incomplete = true;
            this.stack.length = base;
            return;
          }
          this.ctx.incomplete = true;
          continue;
        case LT:
        case GT:
          if (c1 !== LPAREN) {
            this.redirect(list.ensure(), "");
            continue;
          }
          break;
      }
      if (isDigit(c)) {
        let j = this.i + 1;
        while (isDigit(s.charCodeAt(j))) j++;
        const d = s.charCodeAt(j);
        if ((d === LT || d === GT) && s.charCodeAt(j + 1) !== LPAREN) {
          const fd = s.slice(this.i, j);
          this.i = j;
          this.redirect(list.ensure(), fd);
          continue;
        }
      }
      const before = this.i;
      const w = this.readWord();
      if (this.i === before) {
        this.i++;
        continue;
      }
      const open = list.cur;
      if (open !== null && open.words.length > 0) {
        open.words.push(w);
        continue;
      }
      if (open === null && this.reserved(w, base)) continue;
      const m = ASSIGNMENT.exec(w.coded);
      if (m !== null && (w.lit < 0 || m[0].length <= w.lit)) {
        this.assignment(w, m[0].length);
        list.ensure();
        continue;
      }
      list.ensure().words.push(w);
    }
  }

  /** Handles a reserved word at command position; false when the word is an ordinary command word. */
  private reserved(w: RawWord, base: number): boolean {
    let word: string;
    if (w.bits === 0) word = w.coded;
    else if (w.bits === W_BRACE && w.coded === S_BRACE_OPEN) word = "{";
    else return false;
    const stack = this.stack;
    switch (word) {
      case "{":
        stack.push("{");
        return true;
      case "}":
        this.pop(base, "{");
        return true;
      case "if":
        stack.push("if");
        return true;
      case "fi":
        this.pop(base, "if");
        return true;
      case "while":
      case "until":
        stack.push("loop");
        return true;
      case "done":
        this.pop(base, "loop");
        return true;
      case "for":
      case "select":
        stack.push("loop");
        this.forHeader();
        return true;
      case "case":
        this.caseHeader();
        return true;
      case "esac":
        this.pop(base, "case-body", "case-pat");
        return true;
      case "function":
        this.skipBlanks();
        if (this.i < this.s.length && CHAR_CLASS[this.s.charCodeAt(this.i)] !== T_END) this.readWord();
        this.skipBlanks();
        if (this.s.charCodeAt(this.i) === LPAREN) this.emptyParens();
        return true;
      case "time": {
        const save = this.i;
        this.skipBlanks();
        if (this.s.startsWith("-p", this.i) && CHAR_CLASS[this.s.charCodeAt(this.i + 2)] === T_END)
          this.i += 2;
        else if (this.s.startsWith("-p", this.i) && this.i + 2 === this.s.length) this.i += 2;
        else this.i = save;
        return true;
      }
      case "[[":
        this.condExpr();
        return true;
      case "then":
      case "else":
      case "elif":
      case "do":
      case "!":
      case "coproc":
        return true;
      default:
        return false;
    }
  }

  /** Closes a construct; a closer without its opener is a syntax error. */
  private pop(base: number, kind: string, alt = kind): void {
    const top = this.stack.length > base ? this.stack[this.stack.length - 1] : "";
    if (top === kind || top === alt) this.stack.pop();
    else this.ctx.incomplete = true;
  }

  private assignment(w: RawWord, nameLength: number): void {
    const eq = w.coded.indexOf("=");
    const name = w.coded.slice(0, eq).replace(S_GLOB, "").replace(/\[.*$/, "").replace(/\+$/, "");
    if (this.s.charCodeAt(this.i) === LPAREN && nameLength === w.coded.length) {
      // name=( … ): an array; its elements are words (and may hold substitutions)
      this.i++;
      for (;;) {
        this.skipBlanks();
        const c = this.s.charCodeAt(this.i);
        if (this.i >= this.s.length) {
          this.ctx.incomplete = true;
          return;
        }
        if (c === RPAREN) {
          this.i++;
          return;
        }
        if (c === NL || CHAR_CLASS[c] === T_END) {
          this.i++;
          continue;
        }
        this.readWord();
      }
    }
    const value = decodeField(w.coded.slice(eq + 1));
    if (!value.dynamic) this.ctx.assign(name, value.text);
  }

  private forHeader(): void {
    this.skipBlanks();
    if (this.s.startsWith("((", this.i)) {
      if (!this.arith(this.i + 2)) this.i += 2;
      return;
    }
    if (!this.atWord()) return;
    this.readWord();
    const save = this.i;
    this.skipBlanksAndNewlines();
    if (!this.atWord()) return;
    const w = this.readWord();
    if (w.bits !== 0 || w.coded !== "in") {
      this.i = save;
      return;
    }
    for (;;) {
      this.skipBlanks();
      if (!this.atWord()) return;
      this.readWord();
    }
  }

  private caseHeader(): void {
    this.skipBlanks();
    if (this.atWord()) this.readWord();
    this.skipBlanksAndNewlines();
    const w = this.atWord() ? this.readWord() : null;
    if (w === null || w.bits !== 0 || w.coded !== "in") this.ctx.incomplete = true;
    this.stack.push("case-pat");
  }

  /** Inside `case … in`: consumes one pattern list up to its `)`, or `esac`. */
  private casePattern(): void {
    const s = this.s;
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.i >= s.length) return;
      const c = s.charCodeAt(this.i);
      if (c === LPAREN || c === PIPE) {
        this.i++;
        continue;
      }
      if (c === RPAREN) {
        this.i++;
        this.stack[this.stack.length - 1] = "case-body";
        return;
      }
      if (CHAR_CLASS[c] === T_END) {
        this.ctx.incomplete = true;
        this.i++;
        continue;
      }
      const w = this.readWord();
      if (w.bits === 0 && w.coded === "esac") {
        this.stack.pop();
        return;
      }
    }
  }

  /** `[[ … ]]`: operators inside are not shell operators; only the words (and substitutions) matter. */
  private condExpr(): void {
    const s = this.s;
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.i >= s.length) {
        this.ctx.incomplete = true;
        return;
      }
      const c = s.charCodeAt(this.i);
      if (c === RBRACKET && s.charCodeAt(this.i + 1) === RBRACKET) {
        const after = s.charCodeAt(this.i + 2);
        if (Number.isNaN(after) || CHAR_CLASS[after] === T_END) {
          this.i += 2;
          return;
        }
      }
      if (CHAR_CLASS[c] === T_END && !((c === LT || c === GT) && s.charCodeAt(this.i + 1) === LPAREN)) {
        this.i++;
        continue;
      }
      this.readWord();
    }
  }
}

function parseSource(ctx: ParseContext, src: string, depth: number, origin: CommandOrigin): RawCommand[] {
  if (depth > MAX_DEPTH) {
    ctx.depthExceeded = true;
    return [];
  }
  if (depth > 0) ctx.addFragment(src);
  const p = new Parser(src, depth, ctx);
  p.parseList(false);
  if (p.heredocs.length > 0) ctx.incomplete = true;
  for (const raw of p.raws) interpret(raw, ctx, depth + raw.level, raw.level > 0 ? "substitution" : origin);
  return p.raws;
}

export function parseCommandLine(line: string): ParseResult {
  const ctx = new ParseContext(parseSource);
  if (line.length > MAX_LINE_LENGTH) {
    ctx.tooLong = true;
    ctx.addFragment(sanitize(line.slice(0, MAX_LINE_LENGTH)));
  } else {
    const clean = sanitize(line);
    ctx.addFragment(clean);
    if (clean.includes("!") || clean.startsWith("^")) ctx.historyExpansion = hasHistoryExpansion(clean);
    parseSource(ctx, clean, 0, "line");
  }
  return {
    commands: ctx.commands,
    fragments: ctx.fragments,
    flags: ctx.flagList(),
    uncheckable: ctx.uncheckable,
  };
}
