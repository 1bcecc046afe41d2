// exec.output framing: UTF-8 split across packets, chunk bounds, surrogate pairs, sequence numbers, the cap.
import type { AgentFrame } from "@nostromo/protocol";
import { EXEC_OUTPUT_CHUNK_CHARS, parseAgentFrame } from "@nostromo/protocol";
import { describe, expect, it } from "vitest";
import { chunkText, OutputStreamer } from "./exec-stream";

type Output = Extract<AgentFrame, { t: "exec.output" }>;

function collect(maxBytes?: number) {
  const frames: Output[] = [];
  const s = new OutputStreamer("req_1", (f) => frames.push(f as Output), maxBytes);
  return { s, frames };
}

describe("OutputStreamer", () => {
  it("holds a character split across two packets until its end arrives", () => {
    const { s, frames } = collect();
    const euro = Buffer.from("a€b", "utf8");
    s.push("stdout", euro.subarray(0, 2));
    s.push("stdout", euro.subarray(2));
    s.flush();
    expect(frames.map((f) => f.data).join("")).toBe("a€b");
    expect(frames.every((f) => parseAgentFrame(JSON.stringify(f)).ok)).toBe(true);
  });

  it("keeps stdout and stderr apart and numbers every frame of the request", () => {
    const { s, frames } = collect();
    s.push("stdout", Buffer.from("one\n"));
    s.push("stderr", Buffer.from("warn\n"));
    s.push("stdout", Buffer.from("two\n"));
    s.flush();
    expect(frames.map((f) => [f.seq, f.stream, f.data])).toEqual([
      [0, "stdout", "one\n"],
      [1, "stderr", "warn\n"],
      [2, "stdout", "two\n"],
    ]);
  });

  it("cuts a large packet into chunks the protocol accepts", () => {
    const { s, frames } = collect();
    s.push("stdout", Buffer.from("x".repeat(EXEC_OUTPUT_CHUNK_CHARS * 2 + 5)));
    expect(frames.map((f) => f.data.length)).toEqual([EXEC_OUTPUT_CHUNK_CHARS, EXEC_OUTPUT_CHUNK_CHARS, 5]);
    expect(frames.every((f) => parseAgentFrame(JSON.stringify(f)).ok)).toBe(true);
  });

  it("stops streaming past its byte cap", () => {
    const { s, frames } = collect(10);
    s.push("stdout", Buffer.from("12345678"));
    s.push("stdout", Buffer.from("abcdefgh"));
    s.push("stdout", Buffer.from("never"));
    expect(frames.map((f) => f.data).join("")).toBe("12345678abcdefgh");
  });
});

describe("chunkText", () => {
  it("never ends a chunk in the first half of a surrogate pair", () => {
    const text = `ab${"😀".repeat(3)}`;
    const chunks = chunkText(text, 3);
    expect(chunks.join("")).toBe(text);
    for (const c of chunks) expect(c).toBe(Buffer.from(c, "utf8").toString("utf8"));
  });
});
