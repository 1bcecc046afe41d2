// Shell integration: the OutputGate's sequencing (fake timers), and the real snippet in a real bash
// login shell over SSH — authenticated OSC 133 marks with exit codes, the execution guard's E reports
// answered as the room would (allowed lines run, a refused one never does), history untouched, the
// snippet and its key never forwarded.
import { existsSync } from "node:fs";
import { startSshd, type TestSshd } from "@nostromo/testkit";
import type { Client, ClientChannel } from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  detectLoginShell,
  integrationSnippet,
  OutputGate,
  promptStartMark,
  shellKind,
} from "../../containers/agent/src/shell-integration";
import { connectSsh } from "../../containers/agent/src/ssh";

const KEY = "TestMarkKey_0123456789-abcdefghijklmnop";
const A = promptStartMark(KEY);

describe("shellKind", () => {
  it.each([
    ["/bin/bash", "bash"],
    ["/usr/bin/zsh\n", "zsh"],
    ["/bin/sh", null],
    ["/usr/bin/fish", null],
    ["", null],
  ])("%j → %s", (path, kind) => {
    expect(shellKind(path)).toBe(kind);
  });

  it("types a single line that starts with a space (kept out of history)", () => {
    for (const kind of ["bash", "zsh"] as const) {
      const snippet = integrationSnippet(kind, KEY);
      expect(snippet.startsWith(" ")).toBe(true);
      expect(snippet.endsWith("\r")).toBe(true);
      expect(snippet.slice(0, -1)).not.toMatch(/[\r\n]/);
    }
  });
});

describe("OutputGate", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function gate() {
    vi.useFakeTimers();
    const forwarded: string[] = [];
    const inject = vi.fn();
    const g = new OutputGate({ forward: (c) => forwarded.push(c.toString()), inject, markKey: KEY });
    return { g, forwarded, inject };
  }

  it("forwards the banner and first prompt, injects when quiet, drops the echo up to the mark", () => {
    const { g, forwarded, inject } = gate();
    g.push(Buffer.from("Welcome\r\n"));
    g.push(Buffer.from("$ "));
    expect(forwarded).toEqual(["Welcome\r\n", "$ "]);
    vi.advanceTimersByTime(299);
    expect(inject).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(inject).toHaveBeenCalledOnce();

    g.push(Buffer.from(` if [ -n ... k='${KEY}' snippet echo\r\n\u001b]133`));
    g.push(Buffer.from(`;A;k=${KEY}\u0007$ \u001b]133;B\u0007`));
    expect(forwarded).toEqual(["Welcome\r\n", "$ ", `\r\u001b[K${A}$ \u001b]133;B\u0007`]);
    expect(g.isOpen).toBe(true);
    g.push(Buffer.from("after"));
    expect(forwarded.at(-1)).toBe("after");
  });

  it("holds keystrokes until open, then delivers them in order", () => {
    const { g } = gate();
    const typed: string[] = [];
    g.whenOpen(() => typed.push("a"));
    g.whenOpen(() => typed.push("b"));
    vi.advanceTimersByTime(3000);
    expect(typed).toEqual([]);
    g.push(Buffer.from("\u001b]133;A\u0007")); // not this session's mark
    expect(typed).toEqual([]);
    g.push(Buffer.from(A));
    expect(typed).toEqual(["a", "b"]);
    g.whenOpen(() => typed.push("c"));
    expect(typed).toEqual(["a", "b", "c"]);
  });

  it("injects after 3 s even when the shell prints nothing", () => {
    const { inject } = gate();
    vi.advanceTimersByTime(2999);
    expect(inject).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(inject).toHaveBeenCalledOnce();
  });

  it("releases everything held when no mark arrives within 2 s, with the key scrubbed", () => {
    const { g, forwarded } = gate();
    vi.advanceTimersByTime(3000);
    g.push(Buffer.from(`fish: unknown command k='${KEY.slice(0, 9)}`));
    g.push(Buffer.from(`${KEY.slice(9)}'`));
    expect(forwarded).toEqual([]);
    vi.advanceTimersByTime(2000);
    expect(forwarded).toEqual(["fish: unknown command k='[redacted]'"]);
    expect(g.isOpen).toBe(true);
  });

  it("releases held output on dispose", () => {
    const { g, forwarded } = gate();
    vi.advanceTimersByTime(3000);
    g.push(Buffer.from("partial"));
    g.dispose();
    expect(forwarded).toEqual(["partial"]);
  });
});

describe("snippet in a real bash over SSH", () => {
  let sshd: TestSshd;
  let client: Client;

  beforeAll(async () => {
    sshd = await startSshd();
    ({ client } = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      auth: { type: "key", privateKey: sshd.privateKey },
    }));
  }, 30_000);

  afterAll(async () => {
    client?.end();
    await sshd?.stop();
  });

  it("detects the login shell", async () => {
    expect(await detectLoginShell(client)).toBe("/bin/bash");
  });

  it("emits A/B/C/D marks with exit codes and keeps the snippet off the wire and out of history", async () => {
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell({ term: "xterm-256color", cols: 120, rows: 40 }, (err, s) =>
        err ? reject(err) : resolve(s),
      ),
    );
    let forwarded = "";
    let raw = "";
    const gate = new OutputGate({
      forward: (c) => {
        forwarded += c.toString("utf8");
      },
      inject: () => shell.write(integrationSnippet("bash", KEY)),
      markKey: KEY,
    });
    // The room's side of the guard: answer each E report; lines that touch the marker are refused.
    const reported: string[] = [];
    const nonces: string[] = [];
    shell.on("data", (c: Buffer) => {
      raw += c.toString("utf8");
      gate.push(c);
      const text = c.toString("utf8");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are the subject
      const reports = text.matchAll(/\u001b\]133;E;([lcs]);(\w+);([^;\u0007]*);k=([^\u0007]*)\u0007/g);
      for (const m of reports) {
        const line = decodeURIComponent(m[3] ?? "");
        reported.push(`${m[1]}:${line}`);
        nonces.push(m[2] ?? "");
        expect(m[4]).toBe(KEY);
        shell.write(`#${m[2]}${line.includes("guard-unit-marker") ? "n" : "y"}\n`);
      }
    });
    const waitFor = async (pattern: RegExp | string, timeoutMs = 5000, from = 0) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const seen = forwarded.slice(from);
        if (typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${String(pattern)} in ${JSON.stringify(forwarded)}`);
    };

    await waitFor(A);
    expect(gate.isOpen).toBe(true);
    expect(raw).toContain("__nostromo_"); // the shell did echo it...
    expect(forwarded).not.toContain("__nostromo"); // ...but it was not forwarded
    expect(forwarded.split(KEY).length).toBe(forwarded.split(`k=${KEY}\u0007`).length); // only in marks

    shell.write("false\r");
    await waitFor(`\u001b]133;D;1;k=${KEY}\u0007`);
    shell.write("true\r");
    await waitFor(`\u001b]133;D;0;k=${KEY}\u0007`);
    expect(forwarded).toMatch(
      new RegExp(`\u001b\\]133;B;g;k=${KEY}\u0007(\u001b\\[K)?false\r\n.*\u001b\\]133;C;k=${KEY}\u0007`, "s"),
    );
    expect(reported).toEqual(["l:false", "l:true"]);

    const before = forwarded.length;
    shell.write("\r"); // an empty line runs nothing: no C, no D
    await new Promise((r) => setTimeout(r, 300));
    expect(forwarded.slice(before)).toContain(A);
    expect(forwarded.slice(before)).not.toMatch(/133;[CDE]/);

    // Refused as it is about to run: nothing of the line runs, and the shell carries on.
    shell.write("echo ran-$((6*7)) > /dev/null; touch /tmp/guard-unit-marker-$$; echo second-$((6*7))\r");
    await waitFor("refused by policy");
    shell.write("echo status-$((6*7))-$?\r");
    await waitFor("status-42-");
    expect(forwarded).not.toContain("second-42");

    // bash expands a for list before the trap fires for the `for`: the `$(…)` subshell reports the line
    // first (through the terminal, its output is the substitution's pipe), then the shell itself.
    const loop = "for i in $(seq 1 40); do echo n-$i; done";
    shell.write(`${loop}\r`);
    await waitFor("n-40\r\n");
    expect(forwarded).not.toContain("no verdict");
    // The nonces are only ever in the marks (the terminal may echo a verdict; the room removes that echo).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are the subject
    const outside = forwarded.replace(/\u001b\]133;[^\u0007]*\u0007/g, "").replace(/#\d+[ysn]\r\n/g, "");
    for (const n of nonces) expect(outside).not.toContain(n);
    expect(reported.slice(-2)).toEqual([`c:${loop}`, `l:${loop}`]);
    const forMarker = `/tmp/guard-unit-marker-for-${process.pid}`;
    const at = forwarded.length;
    shell.write(`for i in $(touch ${forMarker}); do echo x-$i; done; echo for-$((6*7))\r`);
    // Refused in the subshell, then the shell itself reports the line and is refused too; then a prompt.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are the subject
    await waitFor(/refused by policy.*refused by policy.*\u001b\]133;A;/s, 5000, at);
    shell.write("echo status-$((7*7))\r");
    await waitFor("status-49");
    expect(forwarded).not.toContain("for-42");
    expect(existsSync(forMarker)).toBe(false);

    // A process substitution runs alongside the shell: it and the shell report the line at the same moment
    // and either may read either verdict line (they share the line's nonce). Several times: it is a race.
    for (let k = 0; k < 6; k++) {
      const from = forwarded.length;
      shell.write(`while read l; do echo got-$l-${k}; done < <(printf 'a\\n')\r`);
      await waitFor(`got-a-${k}\r\n`, 5000, from);
      await waitFor(A, 5000, from);
    }
    expect(forwarded).not.toContain("no verdict");

    // Two readers of the terminal at once must not leave it with echo off.
    const from2 = forwarded.length;
    shell.write("stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo' | sed s/^/TTY-/\r");
    await waitFor(/TTY--?echo/, 5000, from2);
    expect(forwarded.slice(from2)).toMatch(/TTY-echo/);

    shell.write("history | tail -n 5; echo hist-done-$((6*7))\r");
    await waitFor("hist-done-42");
    expect(forwarded.slice(forwarded.lastIndexOf("history | tail"))).not.toContain("__nostromo");
    shell.end("exit\r");
  }, 20_000);
  // zsh cannot skip a command from preexec: refused, it kills itself before the command starts.
  it.skipIf(!existsSync("/usr/bin/zsh"))(
    "zsh: keyed marks, reports answered, a refused line kills the shell first",
    async () => {
      const shell = await new Promise<ClientChannel>((resolve, reject) =>
        client.exec(
          "exec /usr/bin/zsh -f -i",
          { pty: { term: "xterm-256color", cols: 120, rows: 40 } },
          (err, s) => (err ? reject(err) : resolve(s)),
        ),
      );
      let out = "";
      let closed = false;
      shell.on("close", () => {
        closed = true;
      });
      shell.on("data", (c: Buffer) => {
        const text = c.toString("utf8");
        out += text;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are the subject
        for (const m of text.matchAll(/\u001b\]133;E;l;(\w+);([^;\u0007]*);k=[^\u0007]*\u0007/g))
          shell.write(
            `#${m[1]}${decodeURIComponent(m[2] ?? "").includes("guard-unit-marker") ? "n" : "y"}\n`,
          );
      });
      const until = async (pred: () => boolean, what: string) => {
        const deadline = Date.now() + 5000;
        while (!pred()) {
          if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what} in ${JSON.stringify(out)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await new Promise((r) => setTimeout(r, 300));
      shell.write(integrationSnippet("zsh", KEY));
      await until(() => out.includes(A), "the prompt mark");
      shell.write("false\r");
      await until(() => out.includes(`\u001b]133;D;1;k=${KEY}\u0007`), "D;1");
      shell.write("echo zsh-$((6*7))\r");
      await until(() => out.includes("zsh-42\r\n"), "the echo");
      // preexec sees the whole line before anything of it runs, a `$(…)` in a for list included.
      shell.write("for i in $(seq 1 3); do echo z-$i; done\r");
      await until(() => out.includes("z-3\r\n"), "the loop");
      const marker = `/tmp/guard-unit-marker-zsh-${process.pid}`;
      shell.write(`touch ${marker}; echo after-$((6*7))\r`);
      await until(() => closed, "the shell to end");
      expect(existsSync(marker)).toBe(false);
      expect(out).toContain("refused by policy; the shell is closed");
      expect(out).not.toContain("after-42");
    },
    20_000,
  );
});
