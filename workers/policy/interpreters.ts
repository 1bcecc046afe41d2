// Interpreters that take code inline, described by their option syntax (data, read by one function):
// which option carries the code (`python -c`, `perl -e`, `node --eval`…), which options consume a value,
// which mean "run a module or file, not inline code". With neither code nor a script operand an
// interpreter reads its program from stdin, which command-semantics.ts then looks at.

import type { Language } from "./inline-code.ts";

export interface InterpreterSpec {
  language: Language;
  /** Short options whose value is code (`-c CODE`, `-cCODE`, bundled last: `-Sc CODE`). */
  code: string;
  codeLong?: readonly string[];
  /** Several code options add up (perl -e … -e …). */
  multi?: boolean;
  /** Short options that take a value (`-W arg`, `-Wdefault`). */
  values?: string;
  valuesLong?: readonly string[];
  /** Short options meaning a module or file is run instead (`python -m http.server`, `awk -f f`). */
  noInline?: string;
  /** The first operand is the program text (awk). */
  programOperand?: boolean;
}

/** A word holding inline code: args[index].slice(from). */
export interface CodeWord {
  index: number;
  from: number;
}

export interface Invocation {
  code: CodeWord[];
  /** No code and no script operand: the program is read from stdin. */
  stdin: boolean;
}

const PYTHON: InterpreterSpec = { language: "python", code: "c", values: "WXQ", noInline: "m" };
const AWK: InterpreterSpec = {
  language: "awk",
  code: "e",
  codeLong: ["--source"],
  values: "Fv",
  valuesLong: ["--field-separator", "--assign"],
  noInline: "f",
  programOperand: true,
};

const BY_NAME: ReadonlyMap<string, InterpreterSpec> = new Map<string, InterpreterSpec>([
  ["perl", { language: "perl", code: "eE", multi: true, values: "IMmxdDil0C" }],
  ["ruby", { language: "ruby", code: "e", multi: true, values: "rIECFKTx", valuesLong: ["--encoding"] }],
  ["irb", { language: "ruby", code: "", values: "rI" }],
  [
    "node",
    {
      language: "node",
      code: "ep",
      codeLong: ["--eval", "--print"],
      values: "rC",
      valuesLong: [
        "--require",
        "--import",
        "--loader",
        "--input-type",
        "--conditions",
        "--experimental-loader",
      ],
    },
  ],
  ["nodejs", { language: "node", code: "ep", codeLong: ["--eval", "--print"], values: "r" }],
  ["php", { language: "php", code: "rBRE", values: "cdzt", noInline: "fF" }],
  ["lua", { language: "lua", code: "e", multi: true, values: "l" }],
  ["luajit", { language: "lua", code: "e", multi: true, values: "lbj" }],
  ["awk", AWK],
  ["gawk", AWK],
  ["mawk", AWK],
  ["nawk", AWK],
]);

const PYTHON_NAME = /^(?:python|pypy)(?:[0-9]+(?:\.[0-9]+)?)?$/;

export function interpreterOf(program: string): InterpreterSpec | undefined {
  const spec = BY_NAME.get(program);
  if (spec !== undefined) return spec;
  return program.startsWith("py") && PYTHON_NAME.test(program) ? PYTHON : undefined;
}

/** Where the code of `interpreter [options] [code | script] [args…]` is. */
export function interpreterInvocation(spec: InterpreterSpec, args: readonly string[]): Invocation {
  const code: CodeWord[] = [];
  const done = (): Invocation => ({ code: code.filter((c) => c.index < args.length), stdin: false });
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") {
      i++;
      break;
    }
    if (a === "-" || !a.startsWith("-")) break;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a : a.slice(0, eq);
      if (spec.codeLong?.includes(name)) {
        code.push(eq < 0 ? { index: ++i, from: 0 } : { index: i, from: eq + 1 });
        if (!spec.multi) return done();
      } else if (eq < 0 && spec.valuesLong?.includes(name)) i++;
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const ch = a.charAt(k);
      if (spec.noInline?.includes(ch)) return done();
      if (spec.code.includes(ch)) {
        // The code is the rest of this word, or the next word.
        code.push(k + 1 < a.length ? { index: i, from: k + 1 } : { index: ++i, from: 0 });
        if (!spec.multi) return done();
        break;
      }
      if (spec.values?.includes(ch)) {
        if (k + 1 === a.length) i++;
        break;
      }
    }
  }
  if (code.length > 0) return done();
  if (spec.programOperand) return { code: i < args.length ? [{ index: i, from: 0 }] : [], stdin: false };
  return { code: [], stdin: i >= args.length || args[i] === "-" };
}
