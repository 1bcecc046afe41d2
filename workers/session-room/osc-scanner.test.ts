import { describe, expect, it } from "vitest";
import { OscScanner, plainText, type ScanPiece } from "./osc-scanner.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (ps: ScanPiece[]) => ps.map((p) => dec.decode(p.bytes)).join("");
const events = (ps: ScanPiece[]) => ps.map((p) => p.event).filter(Boolean);

describe("OscScanner", () => {
  it("removes OSC 133 marks and reports them in order with the exit status", () => {
    const s = new OscScanner();
    const ps = s.scan(
      enc.encode("\x1b]133;A\x07user$ \x1b]133;B\x07ls\r\n\x1b]133;C\x07a b\r\n\x1b]133;D;2\x07"),
    );
    expect(text(ps)).toBe("user$ ls\r\na b\r\n");
    expect(events(ps)).toEqual([
      { kind: "prompt-start" },
      { kind: "prompt-end" },
      { kind: "command-start" },
      { kind: "command-end", exitCode: 2 },
    ]);
    expect(dec.decode(ps[2]?.bytes)).toBe("ls\r\n");
  });

  it("carries a mark split across chunks", () => {
    const s = new OscScanner();
    const a = s.scan(enc.encode("out\x1b]13"));
    const b = s.scan(enc.encode("3;D;0\x1b\\next"));
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
