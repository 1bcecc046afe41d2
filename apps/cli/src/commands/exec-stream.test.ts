// Reading the exec stream: lines split across chunks, several lines in one chunk, multi-byte characters
// cut between chunks, a last line without its newline.
import { describe, expect, it } from "vitest";
import { execLines } from "./exec-stream.ts";

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? new TextEncoder().encode(p) : p;
}

async function all(it: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("execLines", () => {
  it("reassembles lines however the chunks fall", async () => {
    const euro = new TextEncoder().encode('{"type":"output","stream":"stdout","data":"€"}\n');
    const events = await all(
      execLines(
        chunks(
          '{"type":"start","command_id":"c1"}\n{"type":"out',
          'put","stream":"stdout","data":"a"}\n',
          euro.subarray(0, 44),
          euro.subarray(44),
          '{"type":"exit","command_id":"c1","exit_code":3,"duration_ms":5,"truncated":false}',
        ),
      ),
    );
    expect(events).toEqual([
      { type: "start", command_id: "c1" },
      { type: "output", stream: "stdout", data: "a" },
      { type: "output", stream: "stdout", data: "€" },
      { type: "exit", command_id: "c1", exit_code: 3, duration_ms: 5, truncated: false },
    ]);
  });
});
