import { describe, expect, it } from "vitest";
import { HIDDEN } from "./command-tracker.ts";
import { FakeShell, mark } from "./fake-shell.ts";

describe("every line-accepting key is judged", () => {
  it.each([
    ["CR", "\r"],
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["Ctrl-O", "\x0f"],
  ])("%s: a blocked line never runs, the next line is its own", async (_name, enter) => {
    const sh = new FakeShell();
    await sh.type(`rm -rf /${enter}`);
    await sh.idle();
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
    await sh.type(`echo ok${enter}`);
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo ok"]);
    expect(sh.blocked).toHaveLength(1);
  });

  it("a paste in one frame: lines judged in order, the rest after a blocked line is dropped", async () => {
    const sh = new FakeShell();
    await sh.type("echo one\nrm -rf /\necho three\n");
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one"]);
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
    expect(sh.dropped).toEqual(["echo three\n".length]);
  });

  it("with the execution guard, from the first line on: a paste is judged line by line as typed", async () => {
    // The guard holds what follows an approved Enter until its verdict is out; were the paste's next line
    // sent at once, the trap's `read` of the verdict would take it, and the screen would never show it.
    const sh = new FakeShell(undefined, { guard: true });
    await sh.type("echo one\nrm -rf /\necho three\n");
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one"]);
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
    expect(sh.rows).toEqual(["echo one"]);
  });

  it.each([
    ["CR", "\r"],
    ["Ctrl-O", "\x0f"],
  ])("with the execution guard, type-ahead behind %s reaches readline, not the trap's read", async (_n, key) => {
    const sh = new FakeShell(undefined, { guard: true });
    await sh.type(`echo one${key}echo two\r`);
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one", "$ echo two"]);
    expect(sh.rows).toEqual(["echo one", "echo two"]);
  });

  it("a line typed after a command ended and before the next prompt is the shell's: judged and recorded there", async () => {
    const sh = new FakeShell(undefined, { guard: true });
    sh.promptDelayMs = 150;
    await sh.type("echo one\r");
    await new Promise((r) => setTimeout(r, 60)); // D is out, the prompt is not
    await sh.type("echo two\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 300));
    await sh.type("echo three\r");
    await new Promise((r) => setTimeout(r, 60));
    await sh.type("rm -rf /\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect(sh.ran).toEqual(["$ echo one", "$ echo two", "$ echo three"]);
    expect(sh.rows).toEqual(["echo one", "echo two", "echo three"]);
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
  });

  it("with the execution guard: a line typed after C but before the verdict is judged as readline shows it", async () => {
    // Held by the guard, it reaches the terminal right behind the verdict, while `read -s` has echo off:
    // nothing shows it until readline redraws it at the next prompt.
    const sh = new FakeShell(undefined, { guard: true });
    sh.echoDelayMs = 20;
    sh.commandMs = 300;
    await sh.type("echo one\r");
    await new Promise((r) => setTimeout(r, 30)); // C is out, the trap's report (E) is not
    await sh.type("rm -rf /\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, sh.commandMs)); // the command's run is over
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one"]);
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
  });

  it("with the execution guard: two lines typed while a command runs both run, the second not taken by the first's verdict read", async () => {
    // Judged as a program's lines while `sleep` runs, both wait in the terminal; readline takes the first
    // at the next prompt, and the trap's `read` of its verdict would take the second (seen end to end).
    const sh = new FakeShell(undefined, { guard: true });
    sh.commandMs = 200;
    await sh.type("sleep 1\r");
    await new Promise((r) => setTimeout(r, 60)); // the verdict is out: the command runs
    await sh.type("echo two\r");
    await sh.type("echo three\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 3 * sh.commandMs));
    await sh.idle();
    expect(sh.ran).toEqual(["$ sleep 1", "$ echo two", "$ echo three"]);
    expect(sh.rows).toEqual(["sleep 1", "echo two", "echo three"]);
  });

  it("with the execution guard: a line the shell runs from type-ahead keeps a refused line behind it from running", async () => {
    const sh = new FakeShell(undefined, { guard: true });
    sh.commandMs = 200;
    await sh.type("sleep 1\r");
    await new Promise((r) => setTimeout(r, 60));
    await sh.type("echo two\r");
    await sh.type("rm -rf /\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 3 * sh.commandMs));
    await sh.idle();
    expect(sh.ran).toEqual(["$ sleep 1", "$ echo two"]);
    // Typed blind (the terminal took it silently while `sleep` ran): refused as hidden input, and its
    // cancelled bytes given back to readline after the verdict run nothing.
    expect(sh.blocked).toHaveLength(1);
  });

  it("a program's line continued with a backslash is judged whole even when the last part's echo is late", async () => {
    // Seen end to end under load: in a nested bash, `rm -rf \` then `/` whose echo came after the echo
    // wait — judged as typed with echo off, without the continued part, and let through.
    const sh = new FakeShell();
    sh.startProgram();
    await sh.type("rm -rf \\\r");
    await sh.idle();
    sh.echoDelayMs = 2_500;
    await sh.type("/\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(sh.ran).not.toContain("> /");
    expect(sh.blocked.map((b) => b.line)).toEqual([HIDDEN]);
  }, 15_000);

  it("a program's line continued with a backslash is judged whole when the first part's echo is late", async () => {
    const sh = new FakeShell();
    sh.startProgram();
    sh.echoDelayMs = 2_500;
    await sh.type("rm -rf \\\r");
    await sh.idle();
    await new Promise((r) => setTimeout(r, 3_000));
    sh.echoDelayMs = 1;
    await sh.type("/\r");
    await sh.idle();
    expect(sh.ran).not.toContain("> /");
    expect(sh.blocked).toHaveLength(1);
  }, 15_000);

  it("a recalled line that wraps at the bottom of a full scrollback is read from its first row", async () => {
    // Each row the line wraps onto scrolls the buffer, and past 1,000 lines of scrollback the oldest row is
    // dropped: positions kept as buffer rows moved under the tracker, which read only the line's last row.
    const sh = new FakeShell();
    sh.out(`${"output line\r\n".repeat(1_100)}${mark("A")}$ ${mark("B")}`);
    const line = `echo forbidden ${"x".repeat(200)}`;
    sh.readline.set("\x1b[A", { draw: line, line });
    await sh.idle();
    await sh.type("\x1b[A\r");
    await sh.idle();
    expect(sh.ran).toEqual([]);
    expect(sh.blocked.map((b) => b.line)).toEqual([line]);
  });

  it("type-ahead in one frame is judged at the next prompt, as the shell's own line (with its row)", async () => {
    const sh = new FakeShell();
    sh.echoDelayMs = 5;
    await sh.type("echo one\necho two\n");
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one", "$ echo two"]);
    expect(sh.rows).toEqual(["echo one", "echo two"]);
  });

  it("a paste split across frames: frames sent before the block are dropped too", async () => {
    const sh = new FakeShell();
    const a = sh.type("echo one\r\nrm -r");
    const b = sh.type("f /\r\necho three\r\n");
    await Promise.all([a, b]);
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one"]);
    expect(sh.blocked.map((x) => x.line)).toEqual(["rm -rf /"]);
    await sh.type("echo later\r");
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one", "$ echo later"]);
  });

  it("a bracketed paste at the prompt is one input, judged whole at the Enter", async () => {
    const sh = new FakeShell();
    await sh.type("\x1b[200~echo one\nrm -rf /\necho three\x1b[201~");
    await sh.idle();
    expect(sh.ran).toEqual([]);
    await sh.type("\r");
    await sh.idle();
    expect(sh.ran).toEqual([]);
    expect(sh.blocked).toHaveLength(1);
  });

  it("a newline inside a bracketed paste is judged as the line it would be if the markers were ignored", async () => {
    const sh = new FakeShell();
    sh.honourPaste = false;
    await sh.type("\x1b[200~echo one\nrm -rf /\necho three\n\x1b[201~");
    await sh.idle();
    expect(sh.ran).toEqual(["$ echo one"]);
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
    expect(sh.dropped).toEqual(["echo three\n\x1b[201~".length]);
  });

  it("paste markers do not shield newlines from a reader that did not ask for bracketed paste", async () => {
    const sh = new FakeShell();
    await sh.type("prog\r");
    await sh.idle();
    await sh.type("\x1b[200~;rm -rf /\r\x1b[201~");
    await sh.idle();
    expect(sh.blocked).toHaveLength(1);
    expect(sh.ran).toEqual(["$ prog"]);
  });

  it("Meta-# is judged as the uncommented line", async () => {
    const sh = new FakeShell();
    await sh.type("#rm -rf /\x1b1\x1b#");
    await sh.idle();
    expect(sh.blocked).toHaveLength(1);
  });
});

describe("output landing on the input line", () => {
  it("does not hide what was typed: both are judged", async () => {
    const sh = new FakeShell();
    sh.out("job-output ");
    await sh.type("rm -rf /\r");
    await sh.idle();
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
  });
});

describe("reverse search", () => {
  it("judges the line shown by (reverse-i-search), not the search display", async () => {
    const sh = new FakeShell();
    await sh.type("\x12");
    sh.out("\r(reverse-i-search)`rm': rm -rf /");
    await sh.idle();
    await sh.type("\r");
    await sh.idle();
    expect(sh.blocked.map((b) => b.line)).toEqual(["rm -rf /"]);
  });

  it("judges every split when the search string contains the separator", async () => {
    const sh = new FakeShell();
    await sh.type("\x12");
    sh.out("\r(failed reverse-i-search)`x': y': rm -rf /");
    await sh.idle();
    await sh.type("\r");
    await sh.idle();
    expect(sh.blocked).toHaveLength(1);
  });
});

describe("input typed with echo off", () => {
  it("is judged and blocked without its text in the line, the reason or the decision", async () => {
    const sh = new FakeShell();
    await sh.type("secret\r");
    await sh.idle();
    await sh.type("hunter2-forbidden-99\r");
    await sh.idle();
    expect(sh.blocked).toHaveLength(1);
    const b = sh.blocked[0];
    expect(b?.line).toBe(HIDDEN);
    expect(JSON.stringify(b)).not.toContain("hunter2");
    expect(b?.reason).toContain("rule 1");
  });

  it("a secret shown as asterisks (pwfeedback) is judged as typed and never quoted", async () => {
    const sh = new FakeShell();
    await sh.type("secret\r");
    await sh.idle();
    sh.echo = true;
    sh.mask = true;
    await sh.type("hunter2-forbidden-99\r");
    await sh.idle();
    expect(sh.blocked.map((b) => b.line)).toEqual([HIDDEN]);
    expect(JSON.stringify(sh.blocked)).not.toContain("hunter2");
  });

  it("a secret the engine cannot parse (a quote, a `!`) is let through at a program's prompt", async () => {
    const sh = new FakeShell();
    await sh.type("secret\r");
    await sh.idle();
    await sh.type("it's!pa$$\r");
    await sh.idle();
    expect(sh.blocked).toHaveLength(0);
    expect(sh.ran).toEqual(["$ secret", "> it's!pa$$"]);
  });
});

describe("at the prompt", () => {
  it("an Enter after only printable keys is forwarded as soon as the echo shows them", async () => {
    const sh = new FakeShell();
    const lat: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sh.type(`: nostromo-${i}`);
      await sh.idle();
      const t0 = performance.now();
      await sh.type("\r");
      lat.push((sh.forwardedAt.at(-1)?.at ?? 0) - t0);
      await sh.idle();
    }
    lat.sort((a, b) => a - b);
    expect(lat[5]).toBeLessThan(5);
    expect(sh.ran).toHaveLength(10);
  });
});

describe("inside a running program", () => {
  it("an Enter is forwarded at once once the echo shows the typed line", async () => {
    const sh = new FakeShell();
    await sh.type("prog\r");
    await sh.idle();
    const lat: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sh.type(`print(${i})`);
      await sh.idle();
      const t0 = performance.now();
      await sh.type("\r");
      const sent = sh.forwardedAt.at(-1);
      expect(sent?.bytes).toEqual(new Uint8Array([13]));
      lat.push((sent?.at ?? 0) - t0);
      await sh.idle();
    }
    lat.sort((a, b) => a - b);
    expect(lat[5]).toBeLessThan(5);
    expect(sh.ran).toHaveLength(11);
  });

  it("with echo off, the Enter does not wait for an echo that never comes", async () => {
    const sh = new FakeShell();
    await sh.type("secret\r");
    await sh.idle();
    await sh.type("pw");
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await sh.type("\r");
    expect(performance.now() - t0).toBeLessThan(20);
  });

  it("a nested shell's continuation is judged with the line it continues", async () => {
    const sh = new FakeShell();
    await sh.type("prog\r");
    await sh.idle();
    await sh.type("rm -rf \\\r");
    await sh.idle();
    await sh.type("/\r");
    await sh.idle();
    expect(sh.blocked).toHaveLength(1);
    // The held first line is discarded with an interrupt, not only the current line.
    expect(sh.forwardedAt.at(-1)?.bytes).toEqual(new Uint8Array([3]));
  });

  it("a blocked line is cancelled and nothing after it runs", async () => {
    const sh = new FakeShell();
    await sh.type("prog\r");
    await sh.idle();
    await sh.type("rm -rf /\rok\r");
    await sh.idle();
    expect(sh.ran).toEqual(["$ prog"]);
    expect(sh.dropped).toEqual([3]);
  });
});
