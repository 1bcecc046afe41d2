import { describe, expect, it } from "vitest";
import { TYPE_AHEAD_LOG_BYTES, TypeAheadLog } from "./type-ahead.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

function logOf(...parts: string[]): TypeAheadLog {
  const log = new TypeAheadLog();
  for (const p of parts) log.note(enc(p));
  return log;
}

describe("TypeAheadLog", () => {
  it("gives back what followed the line the shell runs, across the frames it came in", () => {
    expect(dec(logOf("echo two", "\r", "echo three", "\r").swallowedAfter("echo two"))).toBe("echo three\r");
  });

  it("finds the line after input a program consumed before it", () => {
    expect(dec(logOf("answer\r", "echo two\r", "ls\r").swallowedAfter("echo two"))).toBe("ls\r");
  });

  it("gives back nothing when the line was the last thing typed", () => {
    expect(logOf("echo two\r").swallowedAfter("echo two")).toBeNull();
  });

  it("refuses a line found twice, or only inside another line, or edited, or over several lines", () => {
    expect(logOf("ls\r", "ls\r", "pwd\r").swallowedAfter("ls")).toBeNull();
    expect(logOf("echo lsx\r", "pwd\r").swallowedAfter("ls")).toBeNull();
    expect(logOf("echo twp\x7fo\r", "pwd\r").swallowedAfter("echo two")).toBeNull();
    expect(logOf("echo 'a\rb'\r", "pwd\r").swallowedAfter("echo 'a\nb'")).toBeNull();
    expect(logOf("pwd\r").swallowedAfter("")).toBeNull();
  });

  it("is emptied by a lookup, found or not, and by clear", () => {
    const log = logOf("echo two\r", "pwd\r");
    expect(dec(log.swallowedAfter("echo two"))).toBe("pwd\r");
    expect(log.swallowedAfter("echo two")).toBeNull();
    log.note(enc("echo two\rpwd\r"));
    log.clear();
    expect(log.swallowedAfter("echo two")).toBeNull();
  });

  it("keeps a bounded tail: a line pushed out of it is not found", () => {
    const log = logOf("echo first\r", "x".repeat(TYPE_AHEAD_LOG_BYTES), "\rpwd\r");
    expect(log.swallowedAfter("echo first")).toBeNull();
  });
});
