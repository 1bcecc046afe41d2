// Parser tests: every construct the engine claims to see through, asserted on the canonical simple
// commands it yields, plus the uncertainty flags.

import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./parse-shell.ts";

const commands = (line: string): string[] => parseCommandLine(line).commands.map((c) => c.canonical);
const flags = (line: string): string[] => parseCommandLine(line).flags;

/** Quotes a string for a POSIX shell, to build nested `bash -c` lines. */
const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

describe("lists and pipelines", () => {
  it.each([
    ["ls -la /", ["ls -la /"]],
    ["  rm   -rf    /  ", ["rm -rf /"]],
    ["rm\t-rf\t/", ["rm -rf /"]],
    ["a; b && c || d | e & f", ["a", "b", "c", "d", "e", "f"]],
    ["ls\nrm -rf /", ["ls", "rm -rf /"]],
    ["ls\r\nrm -rf /", ["ls", "rm -rf /"]],
    ["ls\rrm -rf /", ["ls", "rm -rf /"]],
    ["ls |& grep x", ["ls", "grep x"]],
    ["rm -rf \\\n /", ["rm -rf /"]],
    ["ls # rm -rf /", ["ls"]],
    ["echo a#b", ["echo a#b"]],
  ])("%j", (line, expected) => {
    expect(commands(line)).toEqual(expected);
    expect(flags(line)).toEqual([]);
  });
});

describe("compound commands and functions", () => {
  it.each([
    ["(cd /tmp; rm -rf /)", ["cd /tmp", "rm -rf /"]],
    ["{ ls; rm -rf /; }", ["ls", "rm -rf /"]],
    ["if true; then rm -rf /; fi", ["true", "rm -rf /"]],
    ["if a; then b; elif c; then d; else rm -rf /; fi", ["a", "b", "c", "d", "rm -rf /"]],
    ["for i in 1 2; do rm -rf /; done", ["rm -rf /"]],
    ["for ((i=0;i<3;i++)); do rm -rf /; done", ["rm -rf /"]],
    ["while true; do rm -rf /; done", ["true", "rm -rf /"]],
    ["until false; do rm -rf /; done", ["false", "rm -rf /"]],
    ["select x in a b; do rm -rf /; done", ["rm -rf /"]],
    ['case "$1" in start|go) rm -rf /;; (stop) ls ;; *) id;; esac', ["rm -rf /", "ls", "id"]],
    ["f(){ rm -rf /; }; f", ["rm -rf /", "f"]],
    ["function f { rm -rf /; }", ["rm -rf /"]],
    ["f() ( rm -rf / )", ["rm -rf /"]],
    [":(){ :|:& };:", [":"]],
    ["! rm -rf /", ["rm -rf /"]],
    ["time -p rm -rf /", ["rm -rf /"]],
    ["coproc rm -rf /", ["rm -rf /"]],
    ["while read l; do echo $l; done < <(rm -rf /)", ["read l", "echo $l", "rm -rf /"]],
  ])("%j", (line, expected) => {
    expect(commands(line)).toEqual(expected);
    expect(flags(line)).toEqual([]);
  });
});

describe("substitutions are commands too", () => {
  it.each([
    ["echo $(rm -rf /)", "rm -rf /"],
    ["echo `rm -rf /`", "rm -rf /"],
    ['echo "$(echo $(rm -rf /))"', "rm -rf /"],
    ["echo `echo \\`rm -rf /\\``", "rm -rf /"],
    ["diff <(ls) >(rm -rf /)", "rm -rf /"],
    ["a=$(rm -rf /)", "rm -rf /"],
    ["export x=$(rm -rf /)", "rm -rf /"],
    ["a=(1 $(rm -rf /))", "rm -rf /"],
    ["(( x = $(rm -rf /) ))", "rm -rf /"],
    ["echo $(( 1 + $(rm -rf /) ))", "rm -rf /"],
    ["[[ $(rm -rf /) == x ]]", "rm -rf /"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    ["echo ${x:-$(rm -rf /)}", "rm -rf /"],
    ["cat <<EOF\n$(rm -rf /)\nEOF", "rm -rf /"],
  ])("%j", (line, inner) => {
    expect(commands(line)).toContain(inner);
  });

  it("a quoted here-document delimiter keeps the body as data", () => {
    expect(commands("cat <<'EOF'\n$(rm -rf /)\nEOF")).toEqual(["cat"]);
    expect(commands("cat <<EOF\nrm -rf /\nEOF")).toEqual(["cat"]);
  });
});

describe("shell strings and scripts", () => {
  it.each([
    "bash -c 'rm -rf /'",
    'sh -c "rm -rf /"',
    "zsh -c 'rm -rf /'",
    "dash -c 'rm -rf /'",
    "bash -lc 'rm -rf /'",
    "bash --norc -x -c 'rm -rf /'",
    "eval 'rm -rf /'",
    'eval "rm" "-rf" "/"',
    "bash <<< 'rm -rf /'",
    "bash <<EOF\nrm -rf /\nEOF",
    "echo 'rm -rf /' | sh",
    "printf 'rm -rf /\\n' | bash",
    "cat <<EOF | sh\nrm -rf /\nEOF",
    "su -c 'rm -rf /'",
    "su - root -c 'rm -rf /'",
    "runuser -l bob -c 'rm -rf /'",
    'env -S "rm -rf /"',
    'flock /tmp/l -c "rm -rf /"',
    "watch -n 1 'rm -rf /'",
    "alias ll='rm -rf /'",
    "trap 'rm -rf /' EXIT",
    "sudo bash -c 'rm -rf /'",
  ])("%j", (line) => {
    expect(commands(line)).toContain("rm -rf /");
  });

  it("a script file is opaque, and says so by not inventing commands", () => {
    expect(commands("bash script.sh")).toEqual(["bash script.sh"]);
    expect(flags("bash script.sh")).toEqual([]);
  });

  it("nesting beyond the bound is flagged, not followed", () => {
    const deep = `${"eval ".repeat(12)}rm -rf /`;
    expect(flags(deep)).toContain("depth-exceeded");
    expect(flags(`${"eval ".repeat(4)}rm -rf /`)).toEqual([]);
    let shallow = "rm -rf /";
    for (let i = 0; i < 3; i++) shallow = `bash -c ${q(shallow)}`;
    expect(commands(shallow)).toContain("rm -rf /");
    expect(flags(shallow)).toEqual([]);
  });

  it("deeply nested substitutions do not overflow the stack", () => {
    const line = `${"echo $(".repeat(2000)}x${")".repeat(2000)}`;
    expect(flags(line)).toContain("depth-exceeded");
  });
});

describe("wrappers are looked through, and kept as their own layer", () => {
  it.each([
    ["sudo rm -rf /", "sudo rm -rf /"],
    ["sudo -u root rm -rf /", "sudo -u root rm -rf /"],
    ["sudo -u root -- rm -rf /", "sudo -u root -- rm -rf /"],
    ["sudo FOO=1 rm -rf /", "sudo FOO=1 rm -rf /"],
    ["doas -u root rm -rf /", "doas -u root rm -rf /"],
    ["env rm -rf /", "env rm -rf /"],
    ["env -u HOME -i A=1 rm -rf /", "env -u HOME -i A=1 rm -rf /"],
    ["command rm -rf /", "command rm -rf /"],
    ["builtin rm -rf /", "builtin rm -rf /"],
    ["nohup rm -rf / &", "nohup rm -rf /"],
    ["nice -n 10 rm -rf /", "nice -n 10 rm -rf /"],
    ["nice -10 rm -rf /", "nice -10 rm -rf /"],
    ["timeout 5 rm -rf /", "timeout 5 rm -rf /"],
    ["timeout -s KILL 5 rm -rf /", "timeout -s KILL 5 rm -rf /"],
    ["exec rm -rf /", "exec rm -rf /"],
    ["stdbuf -oL rm -rf /", "stdbuf -oL rm -rf /"],
    ["ionice -c3 rm -rf /", "ionice -c3 rm -rf /"],
    ["chroot /mnt rm -rf /", "chroot /mnt rm -rf /"],
    ["busybox rm -rf /", "busybox rm -rf /"],
    ["runuser -u bob -- rm -rf /", "runuser -u bob -- rm -rf /"],
    ["flock /tmp/l rm -rf /", "flock /tmp/l rm -rf /"],
    ["sudo nice -n 5 timeout 9 env X=1 rm -rf /", "sudo nice -n 5 timeout 9 env X=1 rm -rf /"],
  ])("%j", (line, outer) => {
    expect(commands(line)[0]).toBe(outer);
    expect(commands(line)).toContain("rm -rf /");
  });

  it("sudo without a command to run yields only itself", () => {
    expect(commands("sudo -e /etc/passwd")).toEqual(["sudo -e /etc/passwd"]);
    expect(commands("sudo -s")).toEqual(["sudo -s"]);
  });
});

describe("quoting, escapes and expansion", () => {
  it.each([
    ['"rm" -rf /', "rm -rf /"],
    ["'rm' '-rf' '/'", "rm -rf /"],
    ["r''m -rf /", "rm -rf /"],
    ['"r"m -rf /', "rm -rf /"],
    ["r\\m -rf /", "rm -rf /"],
    ["\\rm -rf /", "rm -rf /"],
    ["$'\\x72\\x6d' -rf /", "rm -rf /"],
    ["$'\\162\\155' -rf /", "rm -rf /"],
    ['$"rm" -rf /', "rm -rf /"],
    ["/bin/rm -rf /", "rm -rf /"],
    ["./rm -rf /", "rm -rf /"],
    ["../../usr/bin/rm -rf /", "rm -rf /"],
    ["FOO=1 rm -rf /", "rm -rf /"],
    ["A=1 B=$(id) rm -rf /", "rm -rf /"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    ["rm${IFS}-rf${IFS}/", "rm -rf /"],
    ["rm$IFS-rf$IFS/", "rm -rf /"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    ["rm${IFS%?}-rf /", "rm -rf /"],
    ["{rm,-rf,/}", "rm -rf /"],
    ["rm -rf / > /dev/null 2>&1", "rm -rf /"],
    ["> out rm -rf /", "rm -rf /"],
    ["2>&1 rm -rf /", "rm -rf /"],
    ["&> log rm -rf /", "rm -rf /"],
    ["rm -rf / <in", "rm -rf /"],
  ])("%j", (line, expected) => {
    expect(commands(line)).toContain(expected);
    expect(parseCommandLine(line).commands.find((c) => c.canonical === expected)?.program).toBe("rm");
  });

  it("quoted text stays one argument and is not a command", () => {
    expect(commands("echo 'rm -rf /'")).toEqual(["echo rm -rf /"]);
    expect(commands("git commit -m 'rm -rf / is dangerous'")).toEqual([
      "git commit -m rm -rf / is dangerous",
    ]);
    expect(parseCommandLine("echo 'a;b' \"c|d\"").commands[0]?.args).toEqual(["a;b", "c|d"]);
  });

  it("brace expansion follows bash, and stops at its bound", () => {
    expect(commands("echo {a,b}c {1..3}")).toEqual(["echo ac bc 1 2 3"]);
    expect(commands("echo {x}")).toEqual(["echo {x}"]);
    const bomb = `echo ${"{a,b}".repeat(9)}`;
    expect(flags(bomb)).toContain("expansion-limit");
  });

  it("redirections are recorded but are not arguments", () => {
    const [cmd] = parseCommandLine("dd if=/dev/zero > /dev/sda 2>&1").commands;
    expect(cmd?.args).toEqual(["if=/dev/zero"]);
    expect(cmd?.redirects).toEqual([
      { op: ">", fd: "", target: "/dev/sda" },
      { op: ">&", fd: "2", target: "1" },
    ]);
  });
});

describe("dynamic program names", () => {
  it("flags a program only known at run time and keeps its source text", () => {
    const r = parseCommandLine("$x -rf /");
    expect(r.flags).toContain("dynamic-program");
    expect(r.commands[0]).toMatchObject({ canonical: "$x -rf /", program: null, dynamicProgram: true });
  });

  it.each([
    "x=rm; $x -rf /",
    '"$(echo rm)" -rf /',
    "`echo rm` -rf /",
    "x=r; y=m; $x$y -rf /",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    "${x:-rm} -rf /",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    "r${u}m -rf /",
  ])("resolves %j from what the line itself says, still flagged", (line) => {
    expect(commands(line)).toContain("rm -rf /");
    expect(flags(line)).toContain("dynamic-program");
  });

  it("a glob as program name is dynamic", () => {
    expect(flags("/???/?m -rf /")).toContain("dynamic-program");
    expect(flags("/bin/r? -rf /")).toContain("dynamic-program");
  });

  it.each([
    "x=/; rm -rf $x",
    "rm -rf $(echo /)",
    "rm -rf `echo /`",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    "rm -rf ${d:-/}",
    "sudo rm -rf $(printf /)",
  ])("resolves arguments of %j whose value the line shows", (line) => {
    expect(commands(line)).toContain("rm -rf /");
    expect(flags(line)).toEqual([]);
  });

  it("expansions in arguments are kept literally and are not flagged", () => {
    expect(commands('rm -rf "$HOME/tmp"')).toEqual(["rm -rf $HOME/tmp"]);
    expect(flags('rm -rf "$HOME/tmp"')).toEqual([]);
  });
});

describe("xargs and find -exec", () => {
  it("appends visible xargs input", () => {
    expect(commands("echo / | xargs rm -rf")).toContain("rm -rf /");
    expect(commands("xargs -I{} rm -rf {} <<< /")).toContain("rm -rf /");
    expect(commands("printf '/\\n' | xargs -n1 rm -rf")).toContain("rm -rf /");
  });

  it("marks xargs input it cannot see as runtime arguments", () => {
    const r = parseCommandLine("xargs rm -rf < list");
    expect(r.flags).toContain("runtime-args");
    expect(r.commands.find((c) => c.program === "rm")).toMatchObject({
      canonical: "rm -rf",
      runtimeArgs: true,
    });
  });

  it("runs find -exec commands on the start points", () => {
    expect(commands("find / -exec rm -rf {} \\;")).toContain("rm -rf /");
    expect(commands("find /var /tmp -name '*.o' -execdir rm -f {} +")).toEqual(
      expect.arrayContaining(["rm -f /var", "rm -f /tmp"]),
    );
    expect(commands("find . -delete")).toEqual(["find . -delete"]);
  });
});

describe("incomplete input", () => {
  it.each([
    'echo "abc',
    "echo 'abc",
    "if true; then ls",
    "(ls",
    "echo $(ls",
    "ls \\",
    "cat <<EOF",
    "for x in 1; do ls",
    "case x in a) ls",
    "ls; ;; rm",
    "} ls",
    "echo `ls",
  ])("%j is flagged incomplete", (line) => {
    expect(flags(line)).toContain("incomplete");
  });

  it("still reports the commands it could read", () => {
    expect(commands("rm -rf / 'unterminated")).toEqual(["rm -rf / unterminated"]);
  });
});

describe("history expansion", () => {
  it.each([
    "!!",
    "sudo !!",
    "$(!-2)",
    "!rm",
    "echo !$",
    "^ls^rm -rf /",
    'echo "x!y"',
    "fc -s",
    "fc -s rm",
  ])("%j splices earlier commands and is flagged", (line) => {
    expect(flags(line)).toContain("history-expansion");
  });

  it.each([
    "echo 'wow!'",
    'echo "done!"',
    "[ a != b ]",
    "if ! grep x f; then ls; fi",
    "echo $!",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    "echo ${!ref}",
    "fc -l",
  ])("%j is not a history expansion", (line) => {
    expect(flags(line)).toEqual([]);
  });

  it("a lone [ is the test program, not a glob", () => {
    expect(parseCommandLine("[ -f x ] && ls").commands.map((c) => c.program)).toEqual(["[", "ls"]);
    expect(flags("/bin/r[m] -rf /")).toContain("dynamic-program");
  });
});

describe("input hygiene", () => {
  it("sentinel control characters cannot be forged", () => {
    // U+0001 is the lexer's brace sentinel: typed by a user it must be dropped, not expanded.
    expect(commands("echo \u0001a\u0002b\u0003")).toEqual(["echo ab"]);
  });

  it("an over-long line is not parsed and is flagged", () => {
    const r = parseCommandLine(`echo ${"x".repeat(70000)}`);
    expect(r.flags).toEqual(["too-long"]);
    expect(r.commands).toEqual([]);
  });
});
