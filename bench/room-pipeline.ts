// The room's per-byte work on bulk output, part by part, in plain Node (the same V8 as workerd, not the
// same process): the OSC scan, the screen model (headless xterm), and the recording's asciicast encoding
// (UTF-8 decode + one JSON event line), each fed the bulk bench's `cat` lines in the room's 256 KiB
// batches. Tells which part of workerd's CPU per MB during `bench/session.ts`'s bulk `cat` is the room's
// own work; the SQLite writes (tail, recording) and the socket sends are not in it (workerd only).
// Run: npx tsx bench/room-pipeline.ts   (BENCH_PIPELINE_MB, default 20)
import xtermHeadless from "@xterm/headless";
import { eventLine } from "../workers/session-room/asciicast.ts";
import { OscScanner } from "../workers/session-room/osc-scanner.ts";
import { OUTPUT_BATCH_BYTES } from "../workers/session-room/output-pipeline.ts";
import { loadLine } from "./live-stack.ts";

// Default import: the package is CommonJS, whose named exports plain Node cannot see (the room's Screen
// imports it by name, which workerd's bundle allows); the same terminal and options as screen.ts.
const { Terminal } = xtermHeadless;
const MB = Number(process.env.BENCH_PIPELINE_MB ?? 20);
const line = `${"0123456789abcdef".repeat(6)}\r\n`;
const batch = new TextEncoder().encode(line.repeat(Math.floor(OUTPUT_BATCH_BYTES / line.length)));
const batches = Math.ceil((MB * 1024 * 1024) / batch.byteLength);
const mb = (batches * batch.byteLength) / (1024 * 1024);

async function time(name: string, fn: () => void | Promise<void>): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < batches; i++) await fn();
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  const ms = performance.now() - t0;
  console.log(
    `| ${name} | ${(cpuMs / mb).toFixed(1)} ms | ${(ms / mb).toFixed(1)} ms | ${(mb / (ms / 1000)).toFixed(0)} MB/s |`,
  );
}

console.log(
  `room pipeline parts, ${mb.toFixed(0)} MB in ${OUTPUT_BATCH_BYTES / 1024} KiB batches (${loadLine()})`,
);
console.log("| part | CPU per MB | wall per MB | throughput alone |\n|---|---|---|---|");
const scanner = new OscScanner("k".repeat(43));
await time("OSC scan", () => void scanner.scan(batch));
const term = new Terminal({ cols: 80, rows: 24, scrollback: 1000, allowProposedApi: true });
await time("screen model (headless xterm, 1,000 lines of scrollback)", () => {
  return new Promise<void>((r) => term.write(batch, r));
});
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
let kept = 0;
await time("recording: UTF-8 decode + asciicast event line", () => {
  kept += eventLine(1.5, "o", decoder.decode(batch, { stream: true })).length;
});
console.log(`(${kept} bytes of recording lines)`);
