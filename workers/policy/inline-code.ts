// Code handed inline to an interpreter (`python -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`,
// `lua -e`, an awk program): the shell commands it runs are extracted where they are written as
// literals — `os.system('rm -rf /')`, `subprocess.run(['rm', '-rf', '/'])`, `system("…")`, backticks,
// `child_process.execSync('…')`, awk's `system("…")` and `"cmd" | getline` — and judged like any other
// command. Anything that can run a command, change the system or build code at run time in a way that
// cannot be read statically (a computed argument, `eval`, `__import__`, `shutil`, `fs`, an alias of an
// imported module, a variable function…) makes the code "uncheckable": the engine never calls such code
// harmless. Deliberately a scanner and not a parser per language: it only has to find the constructs
// below, and anything it does not recognise in a dangerous position fails closed.

export type Language = "python" | "perl" | "ruby" | "node" | "php" | "lua" | "awk";

export interface CodeVerdict {
  /** Shell command lines the code runs (argv lists are joined with shell quoting). */
  commands: string[];
  /** Why (part of) the code cannot be judged; null when everything it runs was read. */
  uncheckable: string | null;
}

interface Lit {
  start: number;
  end: number;
  value: string;
  /** Interpolates (f-string, "$x", "#{x}", `${x}`): its value is only known at run time. */
  dynamic: boolean;
}

interface LanguageSpec {
  /** Calls whose first argument is a shell command line. */
  shell: RegExp;
  /** Calls whose arguments are an argv (a list literal, or string literals separated by commas). */
  argv: RegExp | null;
  /** Backticks run a shell command (perl, ruby, php). */
  backticks: boolean;
  /** What is left that could run or change anything; tested with strings blanked out. */
  opaque: RegExp;
  /** Statements removed before the opaque scan (plain imports). */
  harmless?: RegExp;
  quotes: string;
  /** Interpolation inside double quotes. */
  interpolates: RegExp | null;
}

const SPECS: Readonly<Record<Language, LanguageSpec>> = {
  python: {
    shell:
      /\b(?:os\.system|os\.popen|(?<![.\w])system|(?<![.\w])popen|subprocess\.getoutput|subprocess\.getstatusoutput)\s*\(/g,
    argv: /\b(?:subprocess\.(?:run|call|check_call|check_output|Popen))\s*\(/g,
    backticks: false,
    opaque:
      /\b(?:exec|eval|compile|__import__|getattr|setattr|globals|locals|vars|importlib|ctypes|marshal|pickle|shutil|pty|subprocess|breakpoint|__(?!name__|file__|doc__|version__|main__)\w+__|(?:os|subprocess|shutil|pty|ctypes|importlib|builtins|posix|sys)(?:\.\w+)*\s+as|os\.(?!path\b|environ\b|getcwd\b|getenv\b|listdir\b|sep\b|name\b|linesep\b|getpid\b|cpu_count\b|uname\b)\w+|from\s+(?:os|subprocess|shutil|pty|ctypes|importlib)\s+import\s+(?!(?:system|popen)\b\s*(?:;|$)))\b/,
    harmless: /\bimport\s+[\w.]+(?:\s*,\s*[\w.]+)*(?=\s*(?:;|$|\n))/g,
    quotes: "'\"",
    interpolates: null,
  },
  perl: {
    shell: /(?<![\w$@%&])(?:system|exec)\b\s*\(?/g,
    argv: null,
    backticks: true,
    opaque:
      /(?<![\w$@%])(?:system|exec|eval|qx|open|unlink|rmdir|rmtree|require|do|syscall|fork|kill|chmod|chown|rename|glob|pack|unpack)\b|`|&\$|->\s*\(/,
    harmless: /\buse\s+(?:strict|warnings)\s*;?/g,
    quotes: "'\"`",
    interpolates: /[$@]/,
  },
  ruby: {
    shell:
      /(?<![\w.])(?:system|exec|spawn)\b\s*\(?|\bIO\.popen\s*\(|\bOpen3\.(?:capture2e?|capture3|popen[23]e?)\s*\(/g,
    argv: null,
    backticks: true,
    opaque:
      /(?<![\w])(?:system|exec|spawn|eval|instance_eval|class_eval|module_eval|send|public_send|__send__|method|require|require_relative|load|IO|Open3|Kernel|File|FileUtils|Dir|Process|fork|syscall|binding|constantize)\b|%x|`/,
    quotes: "'\"`",
    interpolates: /#\{/,
  },
  node: {
    shell: /(?<![\w$])(?:(?:[\w$]+\.)?(?:execSync|exec))\s*\(/g,
    argv: /(?<![\w$])(?:(?:[\w$]+\.)?(?:spawnSync|spawn|execFileSync|execFile))\s*\(/g,
    backticks: false,
    opaque:
      /(?<![\w$])(?:eval|Function|require|import|process(?!\s*\.\s*(?:version|versions|env|argv|platform|arch|pid|cwd|uptime|memoryUsage|exit|exitCode|stdout|stderr|stdin|hrtime|nextTick)\b)|child_process|fs|vm|globalThis|global|module|Reflect|Proxy|constructor|execSync|exec|spawn|spawnSync|execFile|execFileSync|fork|Deno|Bun)\b|\[\s*['"`]/,
    harmless:
      /\b(?:const|let|var)\s+(?:[\w$]+|\{[\w$,\s]*\})\s*=\s*require\(\s*(['"])child_process\1\s*\)\s*;?|\brequire\(\s*(['"])child_process\2\s*\)\s*\./g,
    quotes: "'\"`",
    interpolates: /\$\{/,
  },
  php: {
    shell: /(?<![\w$>:])(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(/g,
    argv: null,
    backticks: true,
    opaque:
      /(?<![\w$>:])(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|include|include_once|require|require_once|unlink|rmdir|file_put_contents|fopen|rename|chmod|chown|call_user_func|call_user_func_array|preg_replace|mail|putenv|dl|ReflectionFunction|base64_decode|str_rot13|gzinflate)\b|\$\w+\s*\(|""\s*\(|\)\s*\(|`/,
    quotes: "'\"`",
    interpolates: /\$/,
  },
  lua: {
    shell: /\b(?:os\.execute|io\.popen)\s*\(/g,
    argv: null,
    backticks: false,
    opaque: /\b(?:os|io|load|loadstring|loadfile|dofile|require|debug|package)\b/,
    quotes: "'\"",
    interpolates: null,
  },
  awk: {
    shell: /\bsystem\s*\(/g,
    argv: null,
    backticks: false,
    opaque: /\bsystem\b|\|\s*&?\s*getline|\bprintf?\b[^;}\n]*\|/,
    quotes: '"',
    interpolates: null,
  },
};

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  e: "\x1b",
};

/** One backslash escape at code[j] (the character after the backslash): its text and its length.
 * Hex (`\x72`, `\x{72}`), Unicode (`\u0072`, `\u{72}`, `\U00000072`) and octal (`\162`) are decoded, so
 * an encoded command name is seen as the command it is. */
function decodeEscape(code: string, j: number): [string, number] {
  const c = code.charAt(j);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, 1];
  const braced = /^[xu]\{([0-9a-fA-F]{1,6})\}/.exec(code.slice(j, j + 10));
  if (braced) return [String.fromCodePoint(Number.parseInt(braced[1] as string, 16)), braced[0].length];
  const hex =
    c === "x"
      ? /^x([0-9a-fA-F]{1,2})/.exec(code.slice(j, j + 3))
      : c === "u"
        ? /^u([0-9a-fA-F]{4})/.exec(code.slice(j, j + 5))
        : c === "U"
          ? /^U([0-9a-fA-F]{8})/.exec(code.slice(j, j + 9))
          : null;
  if (hex) {
    const point = Number.parseInt(hex[1] as string, 16);
    return [point <= 0x10ffff ? String.fromCodePoint(point) : "", hex[0].length];
  }
  const octal = /^[0-7]{1,3}/.exec(code.slice(j, j + 3));
  if (octal) return [String.fromCharCode(Number.parseInt(octal[0], 8) & 0xff), octal[0].length];
  return [c, 1];
}

/** Every string literal of the code, with its decoded value. Unterminated literals run to the end. */
function literals(code: string, spec: LanguageSpec, language: Language): Lit[] {
  const out: Lit[] = [];
  for (let i = 0; i < code.length; i++) {
    const q = code.charAt(i);
    if (!spec.quotes.includes(q)) {
      if (language === "python" && q === "#") while (i < code.length && code.charAt(i) !== "\n") i++;
      continue;
    }
    let prefix = "";
    if (language === "python") {
      let k = i - 1;
      while (k >= 0 && /[rRbBuUfF]/.test(code.charAt(k))) prefix = code.charAt(k--) + prefix;
      if (k >= 0 && /\w/.test(code.charAt(k))) prefix = "";
    }
    const triple = language === "python" && code.startsWith(q.repeat(3), i);
    const close = triple ? q.repeat(3) : q;
    const raw = /r/i.test(prefix);
    const start = i - prefix.length;
    let value = "";
    let j = i + close.length;
    for (; j < code.length; j++) {
      if (code.startsWith(close, j)) break;
      const c = code.charAt(j);
      if (c === "\\" && j + 1 < code.length) {
        const n = code.charAt(j + 1);
        // Single quotes in perl, ruby and php only unescape \\ and \'.
        const literalOnly = q === "'" && language !== "python" && language !== "node" && language !== "lua";
        if (raw || (literalOnly && n !== "\\" && n !== "'")) {
          value += c + n;
          j++;
        } else if (literalOnly) {
          value += n;
          j++;
        } else {
          const [text, length] = decodeEscape(code, j + 1);
          value += text;
          j += length;
        }
        continue;
      }
      value += c;
    }
    const end = Math.min(code.length, j + close.length);
    let dynamic = /f/i.test(prefix) && value.includes("{");
    if (q === "`" && language === "node") dynamic = /\$\{/.test(code.slice(i, end));
    else if (q !== "'" && spec.interpolates !== null) dynamic = spec.interpolates.test(code.slice(i, end));
    out.push({ start, end, value, dynamic });
    i = end - 1;
  }
  return out;
}

/** A command that only reads code on its stdin: what the inline code writes to it cannot be read. */
const FEEDS_CODE =
  /^\s*(?:\S*\/)?(?:sh|bash|dash|zsh|ksh|ash|fish|python[0-9.]*|perl|ruby|node|php|lua)(?:\s+-[si]+)?\s*$/;

/** A word as a shell line must write it to pass it unchanged. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

interface Parsed {
  commands: string[];
  /** End of the construct in the code. */
  end: number;
}

function skipBlanks(code: string, i: number): number {
  let k = i;
  while (k < code.length && /\s/.test(code.charAt(k))) k++;
  return k;
}

function litAt(lits: readonly Lit[], i: number): Lit | undefined {
  return lits.find((l) => l.start === i);
}

/** A list literal of static strings: `['rm', '-rf', '/']`. */
function argvList(code: string, lits: readonly Lit[], i: number): { words: string[]; end: number } | null {
  if (code.charAt(i) !== "[") return null;
  const words: string[] = [];
  let k = skipBlanks(code, i + 1);
  for (;;) {
    if (code.charAt(k) === "]") return { words, end: k + 1 };
    const lit = litAt(lits, k);
    if (lit === undefined || lit.dynamic) return null;
    words.push(lit.value);
    k = skipBlanks(code, lit.end);
    if (code.charAt(k) === ",") k = skipBlanks(code, k + 1);
    else if (code.charAt(k) !== "]") return null;
  }
}

/** The first argument after a call head: a static string (a shell line), or, for argv calls, a list or
 * string literals; null when it is anything else. The argument must end at `,` `)` `;` or the end. */
function callArgument(code: string, lits: readonly Lit[], from: number, argv: boolean): Parsed | null {
  const k = skipBlanks(code, from);
  const list = argvList(code, lits, k);
  if (list !== null) return { commands: [list.words.map(shellQuote).join(" ")], end: list.end };
  const lit = litAt(lits, k);
  if (lit === undefined || lit.dynamic) return null;
  let end = skipBlanks(code, lit.end);
  if (argv) {
    // spawn('rm', ['-rf', '/']) / execFile("rm", ["-rf", "/"])
    if (code.charAt(end) === ",") {
      const rest = argvList(code, lits, skipBlanks(code, end + 1));
      if (rest !== null) {
        return { commands: [[lit.value, ...rest.words].map(shellQuote).join(" ")], end: rest.end };
      }
    }
  } else if (code.charAt(end) === ",") {
    // perl / ruby list form: system("rm", "-rf", "/")
    const words = [lit.value];
    let j = end;
    while (code.charAt(j) === ",") {
      const next = litAt(lits, skipBlanks(code, j + 1));
      if (next === undefined) break;
      if (next.dynamic) return null;
      words.push(next.value);
      j = skipBlanks(code, next.end);
    }
    if (words.length > 1) return { commands: [words.map(shellQuote).join(" ")], end: j };
  }
  const after = code.charAt(end);
  if (after !== "" && !",);}\n".includes(after)) return null;
  if (after === ")") end++;
  return { commands: [lit.value], end };
}

/** Reads the commands inline code runs; see the header for what makes it uncheckable. */
export function readInlineCode(language: Language, code: string): CodeVerdict {
  const spec = SPECS[language];
  const lits = literals(code, spec, language);
  const inString = (i: number) => lits.some((l) => i > l.start && i < l.end);
  const commands: string[] = [];
  const cut: [number, number][] = [];
  let unreadable = false;

  const scan = (re: RegExp | null, argv: boolean) => {
    if (re === null) return;
    re.lastIndex = 0;
    for (let m = re.exec(code); m !== null; m = re.exec(code)) {
      if (inString(m.index)) continue;
      const arg = callArgument(code, lits, m.index + m[0].length, argv);
      if (arg === null) {
        unreadable = true;
        continue;
      }
      commands.push(...arg.commands);
      cut.push([m.index, arg.end]);
    }
  };
  scan(spec.shell, false);
  scan(spec.argv, true);
  if (spec.backticks) {
    for (const l of lits) {
      if (code.charAt(l.start) !== "`") continue;
      if (l.dynamic) unreadable = true;
      else commands.push(l.value);
      cut.push([l.start, l.end]);
    }
  }
  if (language === "awk") awkPipes(code, lits, commands, cut);
  if (spec.harmless) {
    spec.harmless.lastIndex = 0;
    for (let m = spec.harmless.exec(code); m !== null; m = spec.harmless.exec(code)) {
      if (!inString(m.index)) cut.push([m.index, m.index + m[0].length]);
    }
  }

  // What is left, strings blanked, recognised calls removed, must hold nothing else that acts.
  let rest = "";
  let from = 0;
  const spans = [...cut, ...lits.map((l): [number, number] => [l.start, l.end])].sort((a, b) => a[0] - b[0]);
  for (const [a, b] of spans) {
    if (a < from) {
      from = Math.max(from, b);
      continue;
    }
    rest += `${code.slice(from, a)} "" `;
    from = b;
  }
  rest += code.slice(from);
  const opaque = spec.opaque.exec(rest);
  const feeds = commands.find((c) => FEEDS_CODE.test(c));
  if (feeds !== undefined)
    return { commands, uncheckable: `inline ${language} pipes code into ${feeds.trim()}` };
  if (unreadable) return { commands, uncheckable: `inline ${language} runs a command it builds at run time` };
  if (opaque !== null) {
    return { commands, uncheckable: `inline ${language} uses ${opaque[0].trim()}` };
  }
  return { commands, uncheckable: null };
}

/** awk: `"cmd" | getline` and `print … | "cmd"` run cmd through the shell. */
function awkPipes(code: string, lits: readonly Lit[], commands: string[], cut: [number, number][]): void {
  for (const l of lits) {
    const after = code.slice(l.end).match(/^\s*\|\s*&?\s*getline\b/);
    if (after) {
      commands.push(l.value);
      cut.push([l.start, l.end + after[0].length]);
      continue;
    }
    const before = code.slice(0, l.start).match(/\bprintf?\b[^;}\n]*\|\s*&?\s*$/);
    if (before) {
      commands.push(l.value);
      cut.push([l.start - before[0].length, l.end]);
    }
  }
}
