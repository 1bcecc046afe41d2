// Static facts about a rule's regular expression that let the matcher skip it cheaply:
// - anchored: every top-level branch starts with `^` (then it describes a command, see match.ts);
// - keys: the literal program word or prefix after `^` (`^rm\s+-rf` only concerns commands whose first
//   word is `rm`; `^mkfs\.` those starting with "mkfs.");
// - literal: a string every match must contain, fed to the Aho-Corasick prefilter.
// Every fact must be implied by the regex, never guessed: a wrong key or literal would let a command
// through. Anything this reader does not fully understand yields "no fact", which only costs speed.

export interface IndexKey {
  kind: "word" | "prefix";
  value: string;
}

export interface RegexShape {
  anchored: boolean;
  /** null = cannot be indexed by leading word; the rule is tried on every command. */
  keys: IndexKey[] | null;
  literal: string | null;
}

interface Atom {
  /** A literal character, or null for anything else (class, group, escape class, anchor…). */
  ch: string | null;
  /** The atom may match zero times. */
  optional: boolean;
  /** The atom may match more than once. */
  repeated: boolean;
  /** Source text of the atom (without its quantifier). */
  src: string;
}

const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

/** End (exclusive) of the bracket class starting at i. */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === "^") j++;
  if (src[j] === "]") j++;
  while (j < src.length && src[j] !== "]") j += src[j] === "\\" ? 2 : 1;
  return Math.min(j + 1, src.length);
}

/** End (exclusive) of the group starting at i. */
function groupEnd(src: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j];
    if (c === "\\") j += 2;
    else if (c === "[") j = classEnd(src, j);
    else {
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return j + 1;
      j++;
    }
  }
  return src.length;
}

/** Length of the escape at i (a backslash and what belongs to it). */
function escapeLength(src: string, i: number): number {
  const n = src[i + 1];
  if (n === "x") return 4;
  if (n === "u") return src[i + 2] === "{" ? src.indexOf("}", i) + 1 - i || 2 : 6;
  if (n === "c") return 3;
  if (n === "k" && src[i + 2] === "<") return src.indexOf(">", i) + 1 - i || 2;
  if (n !== undefined && /[0-9]/.test(n)) {
    let j = i + 1;
    while (j < src.length && /[0-9]/.test(src.charAt(j))) j++;
    return j - i;
  }
  return 2;
}

/** Top-level atoms from `from`; null when the top level holds an alternation. */
function atoms(src: string, from: number): Atom[] | null {
  const out: Atom[] = [];
  let i = from;
  while (i < src.length) {
    const c = src.charAt(i);
    let ch: string | null = null;
    let end: number;
    if (c === "|") return null;
    if (c === "\\") {
      const n = src.charAt(i + 1);
      end = i + escapeLength(src, i);
      // Identity escapes of punctuation are literal; letters and digits are classes, anchors, codes.
      if (n !== "" && !/[A-Za-z0-9]/.test(n)) ch = n;
    } else if (c === "[") end = classEnd(src, i);
    else if (c === "(") end = groupEnd(src, i);
    else {
      end = i + 1;
      if (!".^$*+?{}()[]|".includes(c)) ch = c;
    }
    const atom: Atom = { ch, optional: false, repeated: false, src: src.slice(i, end) };
    i = end;
    const q = src.charAt(i);
    if (q === "*" || q === "+" || q === "?") {
      atom.optional = q !== "+";
      atom.repeated = q !== "?";
      i++;
    } else if (q === "{") {
      const m = QUANTIFIER.exec(src.slice(i));
      if (m) {
        const min = Number(m[1]);
        atom.optional = min === 0;
        atom.repeated = m[2] !== undefined || min > 1;
        i += m[0].length;
      }
    }
    if (atom.optional || atom.repeated) {
      if (src.charAt(i) === "?") i++;
    }
    out.push(atom);
  }
  return out;
}

function topLevelBranches(src: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") i += 2;
    else if (c === "[") i = classEnd(src, i);
    else if (c === "(") i = groupEnd(src, i);
    else {
      if (c === "|") {
        out.push(src.slice(start, i));
        start = i + 1;
      }
      i++;
    }
  }
  out.push(src.slice(start));
  return out;
}

function longestLiteral(list: Atom[]): string | null {
  let best = "";
  let run = "";
  for (const a of list) {
    if (a.ch !== null && !a.optional) {
      run += a.ch;
      if (!a.repeated) continue;
    }
    if (run.length > best.length) best = run;
    run = "";
  }
  if (run.length > best.length) best = run;
  return best.length >= 2 ? best : null;
}

/** A group that is a plain alternation of literals, `(rm|rmdir)` / `(?:a|b)`; null otherwise. */
function literalAlternatives(group: string): string[] | null {
  let inner = group.slice(1, -1);
  if (inner.startsWith("?:")) inner = inner.slice(2);
  else if (inner.startsWith("?<") && !inner.startsWith("?<=") && !inner.startsWith("?<!")) {
    inner = inner.slice(inner.indexOf(">") + 1);
  } else if (inner.startsWith("?")) return null;
  const out: string[] = [];
  for (const branch of topLevelBranches(inner)) {
    const list = atoms(branch, 0);
    if (list === null || list.length === 0) return null;
    let s = "";
    for (const a of list) {
      if (a.ch === null || a.optional || a.repeated) return null;
      s += a.ch;
    }
    out.push(s);
  }
  return out;
}

const isWhitespaceAtom = (a: Atom | undefined): boolean =>
  a !== undefined && (a.src === "\\s" || a.src === " ");

function keyFor(literal: string, next: Atom | undefined, ended: boolean): IndexKey {
  const space = literal.indexOf(" ");
  if (space >= 0) return { kind: "word", value: literal.slice(0, space) };
  // The word is complete when whitespace or the end of the text must follow.
  if (!ended && next !== undefined && !next.optional && (isWhitespaceAtom(next) || next.src === "$")) {
    return { kind: "word", value: literal };
  }
  return { kind: "prefix", value: literal };
}

/** Keys of one anchored branch (source after its `^`). */
function branchKeys(list: Atom[]): IndexKey[] | null {
  let i = 0;
  // Canonical commands never start with whitespace, so a leading optional \s* changes nothing.
  while (i < list.length && isWhitespaceAtom(list[i]) && list[i]?.optional) i++;
  const head = list[i];
  if (head === undefined) return null;
  if (head.ch === null) {
    if (!head.src.startsWith("(") || head.optional || head.repeated) return null;
    const alts = literalAlternatives(head.src);
    if (alts === null) return null;
    const next = list[i + 1];
    return alts.map((alt) => keyFor(alt, next, false));
  }
  let literal = "";
  let ended = false;
  for (; i < list.length; i++) {
    const a = list[i] as Atom;
    if (a.ch === null || a.optional) break;
    literal += a.ch;
    if (a.repeated) {
      ended = true;
      i++;
      break;
    }
  }
  if (literal === "") return null;
  const next = list[i];
  // A dropped optional character (`^rmx?`) leaves a prefix, never a complete word.
  if (next !== undefined && next.ch !== null && next.optional) ended = true;
  return [keyFor(literal, next, ended)];
}

export function analyzeRegex(src: string): RegexShape {
  const branches = topLevelBranches(src);
  if (branches.length > 1) {
    const anchored = branches.every((b) => b.startsWith("^"));
    if (!anchored) return { anchored: false, keys: null, literal: null };
    const keys: IndexKey[] = [];
    for (const b of branches) {
      const list = atoms(b, 1);
      const k = list === null ? null : branchKeys(list);
      if (k === null) return { anchored, keys: null, literal: null };
      keys.push(...k);
    }
    return { anchored, keys, literal: null };
  }
  const anchored = src.startsWith("^");
  const list = atoms(src, anchored ? 1 : 0);
  if (list === null) return { anchored, keys: null, literal: null };
  return {
    anchored,
    keys: anchored ? branchKeys(list) : null,
    literal: longestLiteral(list),
  };
}
