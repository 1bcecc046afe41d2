// Word-level shell semantics shared by the parser and the command interpreter: the sentinel encoding a
// lexed word carries, brace expansion, $IFS splitting, ANSI-C ($'…') decoding, and the canonical form
// every rule is matched against.
//
// Why sentinels: after quote removal "{a,b}" and '{a,b}' look alike, but only the unquoted one expands.
// The lexer therefore writes unquoted brace syntax, expansions, glob characters and $IFS split points
// as control characters U+0001–U+0007, which the parser strips from its input first, so they cannot be
// forged by the user.

export const S_BRACE_OPEN = "\u0001";
export const S_BRACE_COMMA = "\u0002";
export const S_BRACE_CLOSE = "\u0003";
export const S_EXP_START = "\u0004";
export const S_EXP_END = "\u0005";
export const S_GLOB = "\u0006";
export const S_SPLIT = "\u0007";

export const W_BRACE = 1;
export const W_EXP = 2;
export const W_GLOB = 4;
export const W_SPLIT = 8;
export const W_QUOTED = 16;

/** Brace expansion beyond this many words is not performed and the line is flagged. */
const MAX_BRACE_WORDS = 256;

export interface RawWord {
  /** Text after quote removal, with sentinels. */
  coded: string;
  bits: number;
  /** Length of the leading part of coded that was written unquoted and unescaped. */
  lit: number;
}

/** One word after expansion, as the command will see it. */
export interface Field {
  text: string;
  coded: string;
  /** Holds a parameter expansion or command substitution whose value is unknown here. */
  dynamic: boolean;
  /** Holds an unquoted glob character: the file system decides what it becomes. */
  glob: boolean;
}

/** Removes U+0000–U+0008 (NUL and the sentinel range). */
export function stripSentinels(s: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 8) continue;
    out += s.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

function isSentinel(code: number): boolean {
  return code >= 1 && code <= 7;
}

function plainField(text: string): Field {
  return { text, coded: text, dynamic: false, glob: false };
}

export function decodeField(coded: string): Field {
  let text = "";
  let dynamic = false;
  let glob = false;
  let start = 0;
  for (let i = 0; i < coded.length; i++) {
    const c = coded.charCodeAt(i);
    if (!isSentinel(c)) continue;
    text += coded.slice(start, i);
    start = i + 1;
    if (c === 1) text += "{";
    else if (c === 2) text += ",";
    else if (c === 3) text += "}";
    else if (c === 4) dynamic = true;
    else if (c === 6) glob = true;
  }
  text += coded.slice(start);
  return { text, coded, dynamic, glob };
}

export interface ExpandState {
  expansionLimit: boolean;
}

/** Brace expansion, then $IFS field splitting, as bash orders them. */
function expandWord(word: RawWord, state: ExpandState, out: Field[]): void {
  if (word.bits === 0 || word.bits === W_QUOTED) {
    out.push(plainField(word.coded));
    return;
  }
  const pieces = word.bits & W_BRACE ? braceExpand(word.coded, state) : [word.coded];
  for (const piece of pieces) {
    if (word.bits & W_SPLIT) {
      for (const part of piece.split(S_SPLIT)) if (part !== "") out.push(decodeField(part));
    } else {
      out.push(decodeField(piece));
    }
  }
}

export function expandWords(words: readonly RawWord[], state: ExpandState): Field[] {
  const out: Field[] = [];
  for (const w of words) expandWord(w, state, out);
  return out;
}

const SEQ = /^(-?\d{1,6}|[a-zA-Z])\.\.(-?\d{1,6}|[a-zA-Z])(?:\.\.(-?\d{1,6}))?$/;

function sequence(body: string): string[] | null {
  const m = SEQ.exec(body);
  if (!m) return null;
  const [, a = "", b = "", stepText] = m;
  const numeric = /\d/.test(a);
  if (numeric !== /\d/.test(b)) return null;
  const from = numeric ? Number(a) : a.charCodeAt(0);
  const to = numeric ? Number(b) : b.charCodeAt(0);
  const step = Math.max(1, Math.abs(Number(stepText ?? "1")) || 1);
  if (Math.abs(to - from) / step >= MAX_BRACE_WORDS) return [];
  const out: string[] = [];
  const dir = from <= to ? step : -step;
  for (let v = from; dir > 0 ? v <= to : v >= to; v += dir)
    out.push(numeric ? String(v) : String.fromCharCode(v));
  return out;
}

/** Expands the leftmost valid brace group, recursively; returns [coded] unchanged when none is valid. */
function braceExpand(coded: string, state: ExpandState): string[] {
  const results: string[] = [];
  const pending = [coded];
  while (pending.length > 0) {
    const s = pending.pop() as string;
    const alts = firstGroup(s);
    if (alts === null) {
      results.push(s);
    } else {
      for (let k = alts.items.length - 1; k >= 0; k--)
        pending.push(alts.prefix + alts.items[k] + alts.suffix);
    }
    if (results.length + pending.length > MAX_BRACE_WORDS) {
      state.expansionLimit = true;
      return [coded];
    }
  }
  return results;
}

function firstGroup(s: string): { prefix: string; items: string[]; suffix: string } | null {
  for (let i = s.indexOf(S_BRACE_OPEN); i >= 0; i = s.indexOf(S_BRACE_OPEN, i + 1)) {
    let depth = 0;
    const commas: number[] = [];
    let end = -1;
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (c === S_BRACE_OPEN) depth++;
      else if (c === S_BRACE_CLOSE) {
        depth--;
        if (depth === 0) {
          end = j;
          break;
        }
      } else if (c === S_BRACE_COMMA && depth === 1) commas.push(j);
    }
    if (end < 0) continue;
    const prefix = s.slice(0, i);
    const suffix = s.slice(end + 1);
    if (commas.length > 0) {
      const items: string[] = [];
      let from = i + 1;
      for (const c of commas) {
        items.push(s.slice(from, c));
        from = c + 1;
      }
      items.push(s.slice(from, end));
      return { prefix, items, suffix };
    }
    const seq = sequence(s.slice(i + 1, end));
    if (seq !== null) return { prefix, items: seq, suffix };
  }
  return null;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

function hexRun(s: string, from: number, max: number, re: RegExp): string {
  let j = from;
  while (j < s.length && j - from < max && re.test(s.charAt(j))) j++;
  return s.slice(from, j);
}

const HEX = /[0-9a-fA-F]/;
const OCT = /[0-7]/;

/** Decodes the backslash escapes of $'…' (and of `echo -e` / printf, which share them). */
export function decodeEscapes(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s.charAt(i);
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      i++;
      continue;
    }
    const n = s.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (n === "x" || n === "u" || n === "U") {
      const digits = hexRun(s, i + 2, n === "x" ? 2 : n === "u" ? 4 : 8, HEX);
      if (digits === "") {
        out += `\\${n}`;
      } else {
        const cp = Number.parseInt(digits, 16);
        out += cp > 0x10ffff ? "" : String.fromCodePoint(cp);
      }
      i += 2 + digits.length;
    } else if (OCT.test(n)) {
      const digits = hexRun(s, i + 1, 3, OCT);
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      i += 1 + digits.length;
    } else if (n === "c" && i + 2 < s.length) {
      out += String.fromCharCode(s.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else {
      out += `\\${n}`;
      i += 2;
    }
  }
  return out;
}

export function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0 || slash === path.length - 1) return path;
  return path.slice(slash + 1);
}

/** Collapses every whitespace run (JS \s, the class rule authors write) to one space and trims. */
export function collapseSpaces(s: string): string {
  let clean = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (i === 0 || i === s.length - 1 || s.charCodeAt(i + 1) === 32) {
        clean = false;
        break;
      }
    } else if (c < 32 || c > 126) {
      clean = false;
      break;
    }
  }
  return clean ? s : s.replace(/\s+/g, " ").trim();
}

export function canonicalize(program: string, args: readonly string[]): string {
  let s = program;
  for (const a of args) s += ` ${a}`;
  return collapseSpaces(s);
}

/** What `echo` / `printf` / `cat <<EOF` write, when it is fully known; null otherwise. */
/** `base64 -d`, `--decode`, `-di`, `-D` (BSD): every argument an option, at least one decoding. */
const BASE64_OPTION = /^(?:--decode|--ignore-garbage|-[diD]+)$/;
const BASE64_DECODE = /^(?:--decode|-[diD]*[dD][diD]*)$/;

/** The UTF-8 text of base64 data; null when it is not valid base64. */
function decodeBase64(data: string): string | null {
  try {
    const binary = atob(data.replace(/\s+/g, ""));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  } catch {
    return null;
  }
}

export function producedText(program: string, fields: readonly Field[], stdin: string | null): string | null {
  for (const f of fields) if (f.dynamic || f.glob) return null;
  const args = fields.map((f) => f.text);
  if (program === "echo") {
    let escapes = false;
    let i = 0;
    while (i < args.length && /^-[neE]+$/.test(args[i] ?? "")) {
      const flag = args[i] ?? "";
      if (flag.includes("e")) escapes = true;
      if (flag.includes("E")) escapes = false;
      i++;
    }
    const text = args.slice(i).join(" ");
    return escapes ? decodeEscapes(text) : text;
  }
  if (program === "printf") {
    let i = 0;
    if (args[0] === "--") i = 1;
    if (args[i] === "-v") return null;
    const format = args[i];
    if (format === undefined) return null;
    const rest = args.slice(i + 1);
    let k = 0;
    const text = decodeEscapes(format).replace(/%%|%[sb]/g, (m) => (m === "%%" ? "%" : (rest[k++] ?? "")));
    return k < rest.length ? `${text} ${rest.slice(k).join(" ")}` : text;
  }
  if (program === "cat" && args.length === 0) return stdin;
  if (
    program === "base64" &&
    stdin !== null &&
    args.every((a) => BASE64_OPTION.test(a)) &&
    args.some((a) => BASE64_DECODE.test(a))
  ) {
    return decodeBase64(stdin);
  }
  return null;
}
