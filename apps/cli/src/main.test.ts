// The CLI as a process: its output piped into a reader that stops early (`nostromo … | head -1`) must end
// quietly with status 0, not with an EPIPE stack trace.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../bin/nostromo.mjs");

it("exits 0 without a stack trace when its reader closes the pipe early", async () => {
  const child = spawn(process.execPath, [BIN, "--help"], {
    // From the sources: what is tested is this checkout's code, built or not.
    env: { ...process.env, NOSTROMO_CLI_FROM_SOURCE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The reader is gone before the CLI writes anything.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(code).toBe(0);
});
