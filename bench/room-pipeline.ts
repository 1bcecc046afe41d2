// The room's per-byte work on bulk output, part by part, in plain Node (the same V8 as workerd, not the
// same process): the OSC scan, the screen model, and the recording's asciicast encoding (UTF-8 decode +
// one JSON event line), each fed the bulk bench's `cat` lines in the room's 256 KiB batches. Tells which
// part of workerd's CPU per MB during `bench/session.ts`'s bulk `cat` is the room's own work; the SQLite
// writes (tail, recording) and the socket sends are not in it (workerd only).
// The screen model both ways in the same run: a headless xterm parsing every byte (the baseline) and the
// room's Screen with its fast path for runs of plain lines (plain-lines.ts); then both again on coloured
// lines, which the fast path cannot skip, so what its check costs shows.
// Run: npx tsx bench/room-pipeline.ts   (BENCH_PIPELINE_MB, default 20; BENCH_SCROLLBACK, default 1,000 as
// the room has it: what a smaller one would save; BENCH_BATCH_KB, default 256)
import xtermHeadless from "@xterm/headless";
import { eventLine } from "../workers/session-room/asciicast.ts";
import { OscScanner } from "../workers/session-room/osc-scanner.ts";
import { OUTPUT_BATCH_BYTES } from "../workers/session-room/output-pipeline.ts";
import { Screen } from "../workers/session-room/screen.ts";
import { loadLine } from "./live-stack.ts";

// Default import: the package is CommonJS, whose named exports plain Node cannot see; the same terminal
// and options as screen.ts.
const { Terminal } = xtermHeadless;
const MB = Number(process.env.BENCH_PIPELINE_MB ?? 20);
const SCROLLBACK = Number(process.env.BENCH_SCROLLBACK ?? 1000);
// The room's batches are at most OUTPUT_BATCH_BYTES; under bulk output at ~12 MB/s, the 8 ms window makes
// them ~100 KB, which BENCH_BATCH_KB models.
const BATCH_BYTES = Number(process.env.BENCH_BATCH_KB ?? OUTPUT_BATCH_BYTES / 1024) * 1024;
const plainLine = `${"0123456789abcdef".repeat(6)}\r\n`;
const colouredLine = `\x1b[32m${"0123456789abcdef".repeat(3)}\x1b[0m ${"0123456789abcdef".repeat(3)}\r\n`;

function batchOf(line: string): Uint8Array {
  return new TextEncoder().encode(line.repeat(Math.floor(BATCH_BYTES / line.length)));
}

async function time(
  name: string,
  batch: Uint8Array,
  fn: (last: boolean) => void | Promise<void>,
): Promise<number> {
  const batches = Math.ceil((MB * 1024 * 1024) / batch.byteLength);
  const mb = (batches * batch.byteLength) / (1024 * 1024);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < batches; i++) await fn(i === batches - 1);
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  const ms = performance.now() - t0;
  console.log(
    `| ${name} | ${(cpuMs / mb).toFixed(1)} ms | ${(ms / mb).toFixed(1)} ms | ${(mb / (ms / 1000)).toFixed(0)} MB/s |`,
  );
  return batches * batch.byteLength;
}

async function screenModel(input: string, batch: Uint8Array): Promise<void> {
  const term = new Terminal({ cols: 80, rows: 24, scrollback: SCROLLBACK, allowProposedApi: true });
  await time(`screen model, ${input}: headless xterm, every byte`, batch, () => {
    return new Promise<void>((r) => term.write(batch, r));
  });
  term.dispose();
  const screen = new Screen(80, 24, SCROLLBACK);
  // As in the room: batches are written as they come, and nothing reads the screen until the end.
  const fed = await time(`screen model, ${input}: the room's Screen (fast path)`, batch, (last) => {
    screen.write(batch);
    return last ? screen.settled() : undefined;
  });
  console.log(`| (${input}: ${((100 * screen.skipped) / fed).toFixed(1)} % of the bytes skipped) | | | |`);
  screen.dispose();
}

const plain = batchOf(plainLine);
console.log(
  `room pipeline parts, ${MB} MB in ${BATCH_BYTES / 1024} KiB batches, 80×24, ${SCROLLBACK} lines of scrollback (${loadLine()})`,
);
console.log("| part | CPU per MB | wall per MB | throughput alone |\n|---|---|---|---|");
const scanner = new OscScanner("k".repeat(43));
await time("OSC scan", plain, () => void scanner.scan(plain));
await screenModel("plain lines", plain);
await screenModel("coloured lines", batchOf(colouredLine));
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
let kept = 0;
await time("recording: UTF-8 decode + asciicast event line", plain, () => {
  kept += eventLine(1.5, "o", decoder.decode(plain, { stream: true })).length;
});
console.log(`(${kept} bytes of recording lines; ${loadLine()} at the end)`);
