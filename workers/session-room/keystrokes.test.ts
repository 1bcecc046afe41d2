import { describe, expect, it } from "vitest";
import { KeyModel } from "./keystrokes.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("KeyModel.findAccept", () => {
  it.each([
    ["ls\r", { at: 2, len: 1, kind: "enter" }],
    ["ls\n", { at: 2, len: 1, kind: "enter" }],
    ["ls\x0f", { at: 2, len: 1, kind: "operate" }],
    ["#ls\x1b1\x1b#", { at: 5, len: 2, kind: "comment" }],
    ["\x1b[Als\r", { at: 5, len: 1, kind: "enter" }],
    ["ls", null],
  ])("%j", (input, want) => {
    expect(new KeyModel().findAccept(enc(input), 0, false)).toEqual(want);
  });

  it("newlines inside a bracketed paste are paste lines only when shielded", () => {
    const paste = enc("\x1b[200~a\nb\r\x1b[201~\r");
    const k = new KeyModel();
    expect(k.findAccept(paste, 0, true)).toEqual({ at: 7, len: 1, kind: "paste-line" });
    expect(k.findAccept(paste, 8, true)).toEqual({ at: 9, len: 1, kind: "paste-line" });
    expect(k.findAccept(paste, 10, true)).toEqual({ at: 16, len: 1, kind: "enter" });
    expect(new KeyModel().findAccept(paste, 0, false)).toEqual({ at: 7, len: 1, kind: "enter" });
  });

  it("keeps the paste state across frames, and the pasted text", () => {
    const k = new KeyModel();
    expect(k.findAccept(enc("\x1b[200~a"), 0, true)).toBeNull();
    k.note(enc("\x1b[200~a"));
    expect(k.pasting).toBe(true);
    expect(k.pasteText).toBe("a");
    expect(k.findAccept(enc("b\x1b[201~\r"), 0, true)).toEqual({ at: 7, len: 1, kind: "enter" });
  });
});

describe("KeyModel.note", () => {
  it("keeps printable text (UTF-8 too) and backspace; plain until another key", () => {
    const k = new KeyModel();
    k.note(enc("echo héllo wx\x7f"));
    expect(k.typed).toBe("echo héllo w");
    expect(k.plain).toBe(true);
    k.note(enc("\t"));
    expect(k.plain).toBe(false);
    expect(k.tail).toBe("");
    k.note(enc("\x1b[D"));
    k.note(enc("z"));
    expect(k.typed).toBe("echo héllo wz");
    expect(k.tail).toBe("z");
    k.reset();
    expect(k.plain).toBe(true);
    expect(k.typed).toBe("");
  });

  it("decodes a character split across frames", () => {
    const k = new KeyModel();
    const e = enc("é");
    k.note(e.subarray(0, 1));
    k.note(e.subarray(1));
    expect(k.typed).toBe("é");
  });
});
