import { describe, expect, it } from "vitest";
import { OscScanner, plainText, type ScanPiece } from "./osc-scanner.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (ps: ScanPiece[]) => ps.map((p) => dec.decode(p.bytes)).join("");
const events = (ps: ScanPiece[]) => ps.map((p) => p.event).filter(Boolean);

const KEY = "k3y-0123456789abcdefghijklmnopqrstuv";
const k = `;k=${KEY}`;

describe("OscScanner", () => {
  it("removes OSC 133 marks and reports them in order with the exit status", () => {
    const s = new OscScanner(KEY);
    const ps = s.scan(
      enc.encode(
        `\x1b]133;A${k}\x07user$ \x1b]133;B${k}\x07ls\r\n\x1b]133;C${k}\x07a b\r\n\x1b]133;D;2${k}\x07`,
      ),
    );
    expect(text(ps)).toBe("user$ ls\r\na b\r\n");
    expect(events(ps)).toEqual([
      { kind: "prompt-start" },
      { kind: "prompt-end", guard: false },
      { kind: "command-start" },
      { kind: "command-end", exitCode: 2 },
    ]);
    expect(dec.decode(ps[2]?.bytes)).toBe("ls\r\n");
  });

  it("a prompt whose B mark says `g`: the shell's guard is on", () => {
    const s = new OscScanner(KEY);
    const ps = s.scan(enc.encode(`$ \x1b]133;B;g${k}\x07\x1b]133;B;x${k}\x07`));
    expect(events(ps)).toEqual([
      { kind: "prompt-end", guard: true },
      { kind: "forged-mark", mark: "B" },
    ]);
  });

  it("carries a mark split across chunks", () => {
    const s = new OscScanner(KEY);
    const a = s.scan(enc.encode("out\x1b]13"));
    const b = s.scan(enc.encode(`3;D;0${k}\x1b\\next`));
    expect(text(a) + text(b)).toBe("outnext");
    expect(events(b)).toEqual([{ kind: "command-end", exitCode: 0 }]);
  });

  it("keeps other OSC sequences and reports alternate screen and bracketed paste", () => {
    const s = new OscScanner();
    const ps = s.scan(enc.encode("\x1b]0;title\x07\x1b[?1049h\x1b[?2004lX\x1b[?1049l"));
    expect(text(ps)).toBe("\x1b]0;title\x07\x1b[?1049h\x1b[?2004lX\x1b[?1049l");
    expect(events(ps)).toEqual([
      { kind: "alt-screen", on: true },
      { kind: "bracketed-paste", on: false },
      { kind: "alt-screen", on: false },
    ]);
  });

  it("strips marks without the key and reports them as forged, changing nothing", () => {
    const s = new OscScanner(KEY);
    const ps = s.scan(
      enc.encode(`a\x1b]133;B\x07b\x1b]133;D;0;k=wrong\x07c\x1b]133;A;k=\x07d\x1b]133;Z${k}\x07e`),
    );
    expect(text(ps)).toBe("abcde");
    expect(events(ps)).toEqual([
      { kind: "forged-mark", mark: "B" },
      { kind: "forged-mark", mark: "D" },
      { kind: "forged-mark", mark: "A" },
      { kind: "forged-mark", mark: "Z" },
    ]);
    expect(events(new OscScanner(null).scan(enc.encode(`\x1b]133;A${k}\x07`)))).toEqual([
      { kind: "forged-mark", mark: "A" },
    ]);
  });

  it("an unterminated OSC cannot swallow the next real mark", () => {
    const s = new OscScanner(KEY);
    const ps = s.scan(enc.encode(`x\x1b]133;B junk\x1b]133;A${k}\x07$ `));
    expect(events(ps)).toEqual([{ kind: "prompt-start" }]);
    expect(text(ps)).toBe("x\x1b]133;B junk$ ");
  });

  it("decodes the line of an E mark, long ones included", () => {
    const s = new OscScanner(KEY);
    const line = `echo "a;b" %\x07\x1b\n${"x".repeat(5000)}`;
    const enc133 = encodeURIComponent(line);
    const a = s.scan(enc.encode(`\x1b]133;E;l;abc12345;${enc133.slice(0, 3000)}`));
    const b = s.scan(enc.encode(`${enc133.slice(3000)}${k}\x07`));
    expect(events(a)).toEqual([]);
    expect(events(b)).toEqual([{ kind: "exec", mode: "line", nonce: "abc12345", line }]);
    // `c`: the whole line, reported by a subshell that runs before the shell reaches the line.
    expect(events(s.scan(enc.encode(`\x1b]133;E;c;abc12345;ls${k}\x07`)))).toEqual([
      { kind: "exec", mode: "subshell", nonce: "abc12345", line: "ls" },
    ]);
    expect(events(s.scan(enc.encode(`\x1b]133;E;l;abc12345;%zz${k}\x07`)))).toEqual([
      { kind: "forged-mark", mark: "E" },
    ]);
  });

  it("removes the terminal's echo of a guard verdict, once", () => {
    const s = new OscScanner(KEY);
    s.expectEcho("#123456789y\n");
    expect(text(s.scan(enc.encode("a#123456789y\r\nb")))).toBe("ab");
    expect(text(s.scan(enc.encode("#123456789y\r\n")))).toBe("#123456789y\r\n");
    s.expectEcho("#987654321n\n", Date.now() - 5_000); // expired
    expect(text(s.scan(enc.encode("#987654321n\r\n")))).toBe("#987654321n\r\n");
  });

  it("passes garbage through without throwing", () => {
    const s = new OscScanner();
    const junk = new Uint8Array(5000).map((_, i) => (i * 7919) % 256);
    expect(() => s.scan(junk)).not.toThrow();
  });
});

describe("plainText", () => {
  it("strips colours, OSC and control bytes", () => {
    expect(plainText("\x1b[31mred\x1b[0m\r\nnext\x07\x1b]0;t\x07")).toBe("red\nnext");
  });
});
