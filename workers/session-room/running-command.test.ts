import { describe, expect, it } from "vitest";
import { type Finished, OUTPUT_CAP, RunningCommand } from "./running-command.ts";

const enc = new TextEncoder();

function setup() {
  const done: [string, Finished][] = [];
  const run = new RunningCommand(
    async (id, r) => {
      done.push([id, r]);
    },
    () => 0,
  );
  return { run, done };
}

describe("RunningCommand", () => {
  it("keeps plain output without the command's echo line, and the exit status", () => {
    const { run, done } = setup();
    run.output(enc.encode("ignored: nothing runs"));
    run.start("c1");
    expect(run.active).toBe(true);
    run.output(enc.encode("ls\r\n\u001b[1mfile\u001b[0m\r\n"));
    run.finish(2);
    expect(run.active).toBe(false);
    expect(done).toEqual([
      ["c1", expect.objectContaining({ exitCode: 2, output: "file\n", truncated: false })],
    ]);
    run.finish(0);
    expect(done).toHaveLength(1);
  });

  it("a row written from the shell's report has no echo line to drop; output is capped", () => {
    const { run, done } = setup();
    run.start("c2", true);
    run.output(enc.encode("first\n"));
    run.output(enc.encode("x".repeat(OUTPUT_CAP * 2 + 10)));
    run.output(enc.encode("never kept"));
    run.finish(null);
    const r = done[0]?.[1];
    expect(r?.output.startsWith("first\n")).toBe(true);
    expect(r?.output).toHaveLength(OUTPUT_CAP);
    expect(r).toMatchObject({ truncated: true, exitCode: null });
  });
});
