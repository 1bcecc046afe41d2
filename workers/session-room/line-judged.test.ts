// The line judged at Enter is the line the shell holds, however it got there: the command tracker reads
// it from a real headless terminal (@xterm/headless, via Screen) fed the bytes bash and readline draw —
// line editing, completion and its listings, history recall, reverse search, a full-screen program, a
// password prompt with echo off, continuation lines. FakeShell (fake-shell.ts) does the simple editing;
// what readline draws for the other keys is scripted here as bash draws it.
import { describe, expect, it } from "vitest";
import { HIDDEN } from "./command-tracker.ts";
import { FakeShell, mark } from "./fake-shell.ts";

const B = mark("B");
const UP = "\x1b[A";
const DOWN = "\x1b[B";

/** Types `keys`, waits for the shell's answer, then presses Enter and waits again. */
async function enter(sh: FakeShell, keys: string): Promise<void> {
  await sh.type(keys);
  await sh.idle();
  await sh.type("\r");
  await sh.idle();
}

const blockedLines = (sh: FakeShell) => sh.blocked.map((b) => b.line);

describe("line editing", () => {
  it("Backspace: the line left after the erased characters is judged", async () => {
    const sh = new FakeShell();
    await enter(sh, "rm -rf /tmp\x7f\x7f\x7f");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
    expect(sh.ran).toEqual([]);
  });

  it("Ctrl-U: a killed line is forgotten, the line typed after it is judged", async () => {
    const sh = new FakeShell();
    await enter(sh, "rm -rf /\x15echo ok");
    expect(sh.blocked).toEqual([]);
    expect(sh.rows).toEqual(["echo ok"]);
    await enter(sh, "echo ok\x15rm -rf /");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
    expect(sh.ran).toEqual(["$ echo ok"]);
  });

  it("Ctrl-W: erasing the last word turns a harmless line into the one the shell runs", async () => {
    const sh = new FakeShell();
    await enter(sh, "rm -rf / harmless\x17");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
    await enter(sh, "echo rm -rf /\x17\x17\x17");
    expect(sh.rows).toEqual(["echo"]);
  });

  it("editing at the start of the line (Ctrl-A, Meta-d) is judged as the shell holds it", async () => {
    const sh = new FakeShell();
    // Ctrl-A moves the cursor back over the line; Meta-d kills "echo" and readline redraws the rest.
    sh.readline.set("\x01", { draw: "\b".repeat("echo rm -rf /".length), line: "echo rm -rf /" });
    sh.readline.set("\x1bd", { draw: ` rm -rf /\x1b[K${"\b".repeat(9)}`, line: " rm -rf /" });
    await enter(sh, "echo rm -rf /\x01\x1bd");
    expect(sh.blocked.map((b) => b.line.trim())).toEqual(["rm -rf /"]);
    expect(sh.ran).toEqual([]);
  });

  it("a line longer than the terminal is read across its wrapped rows", async () => {
    const sh = new FakeShell();
    const long = `echo ${"x".repeat(90)}; rm -rf /`;
    await enter(sh, long);
    expect(blockedLines(sh)).toEqual([long]);
  });
});

describe("tab completion", () => {
  it("the completed line is judged, not the keys typed", async () => {
    const sh = new FakeShell(["passwd"]);
    sh.readline.set("\t", { draw: "swd ", line: "cat /etc/passwd " });
    await enter(sh, "cat /etc/pas\t");
    expect(blockedLines(sh)).toEqual(["cat /etc/passwd"]);
    expect(sh.ran).toEqual([]);
  });

  it("after a listing redraws the prompt below it, the line is read from the new prompt", async () => {
    const sh = new FakeShell();
    // The second Tab lists the candidates and redisplays PS1 (with its B mark) and the line under them.
    sh.readline.set("\t\t", { draw: `\r\ntmp/    tmpfs/\r\n$ ${B}rm -rf /tm`, line: "rm -rf /tm" });
    await enter(sh, "rm -rf /tm\t\t\x7f\x7f");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
  });
});

describe("history recall", () => {
  it("Up at an empty prompt: the recalled line is judged", async () => {
    const sh = new FakeShell();
    sh.readline.set(UP, { draw: "rm -rf /", line: "rm -rf /" });
    await enter(sh, UP);
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
  });

  it("Up over typed text replaces it; Down back to an empty line leaves only what is typed after", async () => {
    const sh = new FakeShell();
    sh.readline.set(UP, { draw: "\b\brm -rf /", line: "rm -rf /" });
    sh.readline.set(DOWN, { draw: `${"\b".repeat(8)}\x1b[K`, line: "" });
    await enter(sh, `ls${UP}`);
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
    await enter(sh, `ls${UP}${DOWN}echo ok`);
    expect(sh.rows).toEqual(["echo ok"]);
    expect(sh.blocked).toHaveLength(1);
  });
});

describe("reverse-i-search", () => {
  it("a search given up with Ctrl-G restores the line: the search display is not judged", async () => {
    const sh = new FakeShell();
    sh.readline.set("\x12", { draw: "\r\x1b[K(reverse-i-search)`': ", line: "" });
    sh.readline.set("rm", { draw: "\r\x1b[K(reverse-i-search)`rm': rm -rf /", line: "rm -rf /" });
    sh.readline.set("\x07", { draw: `\r\x1b[K$ ${B}`, line: "" });
    await enter(sh, "\x12rm\x07echo ok");
    expect(sh.blocked).toEqual([]);
    expect(sh.rows).toEqual(["echo ok"]);
  });

  it("a search accepted for editing (Ctrl-E) is judged as the edited line", async () => {
    const sh = new FakeShell();
    sh.readline.set("\x12", { draw: "\r\x1b[K(reverse-i-search)`': ", line: "" });
    sh.readline.set("rm", { draw: "\r\x1b[K(reverse-i-search)`rm': rm -rf /tmp/x", line: "rm -rf /tmp/x" });
    sh.readline.set("\x05", { draw: `\r\x1b[K$ ${B}rm -rf /tmp/x`, line: "rm -rf /tmp/x" });
    await enter(sh, "\x12rm\x05\x7f\x7f\x7f\x7f\x7f");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
  });
});

describe("a full-screen program (alternate screen)", () => {
  it("owns its input: nothing typed into it is judged or recorded; the prompt after it is judged again", async () => {
    const sh = new FakeShell();
    await enter(sh, "vim");
    await enter(sh, "rm -rf /");
    await enter(sh, ":q");
    expect(sh.blocked).toEqual([]);
    expect(sh.rows).toEqual(["vim"]);
    expect(sh.ran).toEqual(["$ vim", "vim rm -rf /", "vim :q"]);
    await enter(sh, "rm -rf /");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
  });
});

describe("a password prompt with echo off", () => {
  it("the secret is judged hidden, never a row; the shell's next line is judged as usual", async () => {
    const sh = new FakeShell();
    await enter(sh, "secret");
    await enter(sh, "hunter2");
    expect(sh.ran).toEqual(["$ secret", "> hunter2"]);
    await enter(sh, "exit");
    await enter(sh, "rm -rf /");
    expect(blockedLines(sh)).toEqual(["rm -rf /"]);
    expect(sh.rows).toEqual(["secret"]);
    expect(JSON.stringify([sh.rows, sh.blocked])).not.toContain("hunter2");
  });

  it("a secret that breaks a rule is refused without its text", async () => {
    const sh = new FakeShell();
    await enter(sh, "secret");
    await enter(sh, "forbidden-pw");
    expect(blockedLines(sh)).toEqual([HIDDEN]);
    expect(JSON.stringify(sh.blocked)).not.toContain("forbidden-pw");
  });
});

describe("continuation lines (PS2 `> `)", () => {
  it("a quoted string continued over lines runs as one command, judged whole", async () => {
    const sh = new FakeShell();
    await enter(sh, "echo 'one");
    expect(sh.ran).toEqual([]);
    await enter(sh, "two'");
    expect(sh.ran).toEqual(["$ echo 'one\ntwo'"]);
    expect(sh.blocked).toEqual([]);
  });

  // The typed text of the closing line (`two'`) is judged joined to the lines it continues: alone it is an
  // unfinished quote, and the command that ran got no COMMAND row (seen failing before the fix).
  it("a quoted string continued over lines gets its COMMAND row", async () => {
    const sh = new FakeShell();
    await enter(sh, "echo 'one");
    await enter(sh, "two'");
    expect(sh.rows).toEqual(["echo 'one\ntwo'"]);
  });

  it("a command split by a trailing backslash is judged with the lines before it", async () => {
    const sh = new FakeShell();
    await enter(sh, "rm -rf \\");
    await enter(sh, "/");
    expect(sh.blocked).toHaveLength(1);
    expect(sh.ran).toEqual([]);
  });
});
