import { describe, expect, it } from "vitest";
import { anchorCursor, readInputArea, readTypedArea, release, searchCandidates } from "./line-reader.ts";
import { Screen } from "./screen.ts";

async function screen(text: string): Promise<Screen> {
  const s = new Screen(40, 10);
  s.write(text);
  await s.settled();
  return s;
}

describe("line-reader", () => {
  it("an anchored start moves with its line once a full scrollback drops rows, and falls back when it is gone", async () => {
    const s = new Screen(20, 5, 10);
    s.write(`${"out\r\n".repeat(40)}$ `);
    await s.settled();
    const start = anchorCursor(s.term);
    s.write(`rm -rf /data ${"y".repeat(30)}`); // wraps over two more rows: two rows dropped
    await s.settled();
    expect(readInputArea(s.term, start)).toBe(`rm -rf /data ${"y".repeat(30)}`);
    s.write(`\r\n${"more\r\n".repeat(40)}typed`);
    await s.settled();
    expect(start.marker?.isDisposed).toBe(true);
    expect(readTypedArea(s.term, start)).toBe("typed");
    release(start);
  });

  it("reads the input area: wrapped rows joined, continuation prompts dropped", async () => {
    const s = await screen(`$ echo ${"x".repeat(40)}\r\n> more`);
    expect(readInputArea(s.term, { row: 0, col: 2 })).toBe(`echo ${"x".repeat(40)}\nmore`);
  });

  it.each([
    ["(reverse-i-search)`rm': rm -rf /", ["rm -rf /"]],
    ["(i-search)`ls': ls -la", ["ls -la"]],
    ["(failed reverse-i-search)`rmz': rm -rf /", ["rm -rf /"]],
    ["(reverse-i-search)`a': b': c", ["b': c", "c"]],
  ])("parses %j", async (display, want) => {
    const s = await screen(`$ \r${display}`);
    expect(searchCandidates(s.term, 0)).toEqual(want);
  });

  it("is null without a search display", async () => {
    const s = await screen("$ ls");
    expect(searchCandidates(s.term, 0)).toBeNull();
  });
});
