// Programs that run another program (sudo, env, timeout, nice, xargs…) or a shell string (sh -c, su -c),
// described by their option syntax so the engine can find the command they wrap. Unknown options are
// assumed to take no value: the worst case is mistaking an option's value for the program, which only
// ever adds a command to check, never hides the real one behind the wrapper (the wrapper layer itself
// is matched too).

export interface WrapperSpec {
  /** Short options that take a value (`-u root` or `-uroot`). */
  shortArg?: string;
  /** Long options that take a value when it is not given with `=`. */
  longArg?: readonly string[];
  /** Short options whose value, if any, must be attached (xargs -i[R]). */
  shortOptional?: string;
  /** Operands before the command (timeout DURATION, chroot NEWROOT). */
  positionals?: number;
  /** NAME=value operands may precede the command (env, sudo). */
  assignments?: boolean;
  /** Options whose value is itself a shell command line (su -c, flock -c, env -S). */
  stringShort?: string;
  stringLong?: readonly string[];
  /** Options meaning no command is run (sudo -e/-l, taskset -p). */
  noCommandShort?: string;
  noCommandLong?: readonly string[];
  /** Operands are never a command (su: they are a user name and shell arguments). */
  operandsAreData?: boolean;
}

export interface Unwrapped {
  /** Index into args where the wrapped command starts; -1 when there is none. */
  index: number;
  /** Shell command lines carried in options, to be parsed. */
  strings: string[];
}

const SUDO: WrapperSpec = {
  shortArg: "CDghpRrtTUu",
  longArg: [
    "--close-from",
    "--chdir",
    "--group",
    "--host",
    "--prompt",
    "--chroot",
    "--role",
    "--type",
    "--command-timeout",
    "--other-user",
    "--user",
  ],
  noCommandShort: "elvV",
  noCommandLong: ["--edit", "--list", "--validate", "--version", "--help"],
  assignments: true,
};

const SU: WrapperSpec = {
  shortArg: "sgGw",
  longArg: ["--shell", "--group", "--supp-group", "--whitelist-environment"],
  stringShort: "c",
  stringLong: ["--command", "--session-command"],
  operandsAreData: true,
};

export const WRAPPERS: ReadonlyMap<string, WrapperSpec> = new Map<string, WrapperSpec>([
  ["sudo", SUDO],
  ["doas", { shortArg: "uC" }],
  ["pkexec", { longArg: ["--user"] }],
  ["su", SU],
  ["runuser", SU],
  [
    "env",
    {
      shortArg: "uC",
      longArg: ["--unset", "--chdir"],
      stringShort: "S",
      stringLong: ["--split-string"],
      assignments: true,
    },
  ],
  ["command", {}],
  ["builtin", {}],
  ["exec", { shortArg: "a" }],
  ["nohup", {}],
  ["time", { shortArg: "fo", longArg: ["--format", "--output"] }],
  ["nice", { shortArg: "n", longArg: ["--adjustment"] }],
  ["ionice", { shortArg: "cnpPu", noCommandShort: "pPu" }],
  ["stdbuf", { shortArg: "ioe", longArg: ["--input", "--output", "--error"] }],
  ["timeout", { shortArg: "sk", longArg: ["--signal", "--kill-after"], positionals: 1 }],
  ["chroot", { longArg: ["--userspec", "--groups"], positionals: 1 }],
  ["setsid", {}],
  ["taskset", { positionals: 1, noCommandShort: "p" }],
  ["chrt", { shortArg: "TPD", positionals: 1, noCommandShort: "p" }],
  [
    "flock",
    { shortArg: "wE", longArg: ["--timeout", "--conflict-exit-code"], stringShort: "c", positionals: 1 },
  ],
  ["script", { shortArg: "EIOBTm", stringShort: "c", stringLong: ["--command"], operandsAreData: true }],
  ["strace", { shortArg: "abeEIoOpPsSuX" }],
  ["ltrace", { shortArg: "aAeEfFlnopsSuwX" }],
  ["nsenter", { shortArg: "tSGw", shortOptional: "mutinpUCTr" }],
  ["unshare", { shortArg: "SGRw", shortOptional: "mutinpUCT" }],
  ["busybox", {}],
  ["toybox", {}],
  ["unbuffer", {}],
  ["catchsegv", {}],
]);

/** `runuser -u USER [--] COMMAND…` runs a command directly, unlike the su-style `runuser USER -c CMD`. */
export const RUNUSER_COMMAND: WrapperSpec = { shortArg: "sgGwu", longArg: ["--user", "--shell", "--group"] };

export const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "rbash",
  "dash",
  "zsh",
  "ksh",
  "ksh93",
  "mksh",
  "pdksh",
  "oksh",
  "ash",
  "yash",
  "posh",
  "fish",
  "csh",
  "tcsh",
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function isAssignmentText(s: string): boolean {
  return ASSIGNMENT.test(s);
}

export function unwrap(spec: WrapperSpec, args: readonly string[]): Unwrapped {
  const strings: string[] = [];
  let noCommand = false;
  let i = 0;
  let operandStart = -1;
  // Options are scanned across the whole argument list only for the string options (GNU getopt lets
  // `su root -c CMD` put them after operands); the command itself starts at the first operand.
  while (i < args.length) {
    const a = args[i] as string;
    if (a === "--") {
      if (operandStart < 0) operandStart = i + 1;
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a : a.slice(0, eq);
      if (spec.stringLong?.includes(name)) {
        const value = eq < 0 ? args[++i] : a.slice(eq + 1);
        if (value !== undefined) strings.push(value);
      } else if (eq < 0 && spec.longArg?.includes(name)) {
        i++;
      }
      if (spec.noCommandLong?.includes(name)) noCommand = true;
      i++;
      continue;
    }
    if (a.length > 1 && a.startsWith("-") && (operandStart < 0 || spec.operandsAreData)) {
      for (let k = 1; k < a.length; k++) {
        const ch = a.charAt(k);
        if (spec.noCommandShort?.includes(ch)) noCommand = true;
        if (spec.stringShort?.includes(ch)) {
          const value = k + 1 < a.length ? a.slice(k + 1) : args[++i];
          if (value !== undefined) strings.push(value);
          break;
        }
        if (spec.shortArg?.includes(ch)) {
          if (k + 1 === a.length) i++;
          break;
        }
        if (spec.shortOptional?.includes(ch)) break;
      }
      i++;
      continue;
    }
    if (operandStart < 0) operandStart = i;
    if (!spec.operandsAreData) break;
    i++;
  }
  if (noCommand || spec.operandsAreData || operandStart < 0) return { index: -1, strings };
  let j = operandStart;
  for (let p = spec.positionals ?? 0; p > 0 && j < args.length; p--) j++;
  if (spec.assignments) while (j < args.length && isAssignmentText(args[j] as string)) j++;
  // `flock FILE -c CMD`: the string option may follow the operands.
  const after = args[j];
  if (
    after !== undefined &&
    after.length === 2 &&
    after.startsWith("-") &&
    spec.stringShort?.includes(after.charAt(1))
  ) {
    const value = args[j + 1];
    if (value !== undefined) strings.push(value);
    return { index: -1, strings };
  }
  return { index: j < args.length ? j : -1, strings };
}

export type ShellInvocation =
  | { kind: "string"; index: number }
  | { kind: "file"; index: number }
  | { kind: "stdin" }
  | { kind: "none" };

/** How `bash [options] [-c string | file | (stdin)]` gets its script. */
export function shellInvocation(args: readonly string[]): ShellInvocation {
  let commandMode = false;
  let stdinMode = false;
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    if (a === "--" || a === "-") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      if (a === "--rcfile" || a === "--init-file") i++;
      if (a === "--command") commandMode = true;
      i++;
      continue;
    }
    if (a.length > 1 && (a.startsWith("-") || a.startsWith("+"))) {
      for (let k = 1; k < a.length; k++) {
        const ch = a.charAt(k);
        if (ch === "c") commandMode = true;
        else if (ch === "s") stdinMode = true;
        else if (ch === "o" || ch === "O") i++;
      }
      i++;
      continue;
    }
    break;
  }
  if (commandMode) return i < args.length ? { kind: "string", index: i } : { kind: "none" };
  if (stdinMode || i >= args.length) return { kind: "stdin" };
  return { kind: "file", index: i };
}

export interface XargsInvocation {
  index: number;
  replace: string | null;
  fromFile: boolean;
}

export function xargsInvocation(args: readonly string[]): XargsInvocation {
  let replace: string | null = null;
  let fromFile = false;
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a : a.slice(0, eq);
      if (name === "--replace") replace = eq < 0 ? "{}" : a.slice(eq + 1);
      if (name === "--arg-file") fromFile = true;
      const takesValue = ["--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars"];
      if (eq < 0 && (takesValue.includes(name) || name === "--process-slot-var")) i++;
      i++;
      continue;
    }
    if (a.length > 1 && a.startsWith("-")) {
      for (let k = 1; k < a.length; k++) {
        const ch = a.charAt(k);
        const rest = a.slice(k + 1);
        if (ch === "I") {
          replace = rest !== "" ? rest : (args[++i] ?? "{}");
          break;
        }
        if (ch === "i") {
          replace = rest !== "" ? rest : "{}";
          break;
        }
        if ("aEdLnPs".includes(ch)) {
          if (ch === "a") fromFile = true;
          if (rest === "") i++;
          break;
        }
        if ("el".includes(ch)) break;
      }
      i++;
      continue;
    }
    break;
  }
  return { index: i < args.length ? i : -1, replace, fromFile };
}
