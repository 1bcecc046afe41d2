// Commands in flight on one AgentLink: the streamed events in order and ended by the outcome, output out
// of sequence or of a request that did not ask for a stream dropped, the byte cap, and the deadline.
import { EXEC_STREAM_MAX_BYTES, type ExecRequestFrame } from "@nostromo/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ExecEvent, ExecsInFlight, readExecEvents } from "./execs.ts";

const request = (requestId: string, timeoutMs = 1000): ExecRequestFrame => ({
  t: "exec.request",
  requestId,
  target: { host: "h", port: 22, username: "u", auth: { type: "password", password: "p" } },
  command: "true",
  timeoutMs,
  maxOutputBytes: 1024,
});
const out = (requestId: string, seq: number, data: string, stream: "stdout" | "stderr" = "stdout") =>
  ({ t: "exec.output", requestId, seq, stream, data }) as const;
const result = (requestId: string) =>
  ({
    t: "exec.result",
    requestId,
    output: "a",
    exitCode: 0,
    signal: null,
    durationMs: 1,
    truncated: false,
  }) as const;

async function events(body: ReadableStream<Uint8Array>): Promise<ExecEvent[]> {
  const all: ExecEvent[] = [];
  for await (const e of readExecEvents(body)) all.push(e);
  return all;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ExecsInFlight", () => {
  it("streams output in order and ends with the outcome; a repeated or older sequence number is dropped", async () => {
    const execs = new ExecsInFlight();
    const body = execs.stream(request("r1"));
    execs.output(out("r1", 0, "one\n"));
    execs.output(out("r1", 0, "one again\n"));
    execs.output(out("r1", 2, "err\n", "stderr"));
    execs.output(out("r1", 1, "late\n"));
    execs.ended(result("r1"));
    execs.output(out("r1", 3, "after the end\n"));
    expect(await events(body)).toEqual([
      { k: "output", stream: "stdout", data: "one\n" },
      { k: "output", stream: "stderr", data: "err\n" },
      { k: "end", outcome: result("r1") },
    ]);
  });

  it("a request that did not ask for a stream gets no output, only its outcome", async () => {
    const execs = new ExecsInFlight();
    const outcome = execs.wait(request("r2"));
    execs.output(out("r2", 0, "ignored"));
    execs.ended(result("r2"));
    expect(await outcome).toEqual(result("r2"));
  });

  it("stops forwarding past the stream cap", async () => {
    const execs = new ExecsInFlight();
    const body = execs.stream(request("r3"));
    const big = "x".repeat(16 * 1024);
    const n = EXEC_STREAM_MAX_BYTES / big.length;
    for (let i = 0; i <= n; i++) execs.output(out("r3", i, big));
    execs.ended(result("r3"));
    const got = await events(body);
    expect(got.filter((e) => e.k === "output")).toHaveLength(n);
  });

  it("ends with no outcome when the agent stays silent past the timeout and grace", async () => {
    vi.useFakeTimers();
    const execs = new ExecsInFlight();
    const body = execs.stream(request("r4", 1000), 500);
    const read = events(body);
    await vi.advanceTimersByTimeAsync(1500);
    expect(await read).toEqual([{ k: "end", outcome: null }]);
    execs.ended(result("r4"));
  });
});
