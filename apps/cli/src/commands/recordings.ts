// recordings ls | download | play: the organization's session recordings. `download` writes the .cast
// exactly as the API serves it; `play` replays it in this terminal at real speed (player.ts: space pauses,
// → or n skips the current wait, q quits).
import { createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { all, clientFor, data, type Target } from "../api.ts";
import { frames, parseCast } from "../cast.ts";
import { CliError } from "../errors.ts";
import { ago, printJson, table } from "../output.ts";
import { keysOf, Player } from "../player.ts";
import { globals, targetOf } from "../session-context.ts";

/** The .cast as the API serves it, unparsed. */
async function download(t: Target, id: string): Promise<Response> {
  const { response } = await clientFor(t).GET("/api/recordings/{id}/download", {
    params: { path: { id } },
    parseAs: "stream",
  });
  return response;
}

async function play(text: string, speed: number, idleLimit: number): Promise<void> {
  const { header, events } = parseCast(text);
  const tty = Boolean(process.stdin.isTTY);
  const player = new Player(frames(events, { speed, idleLimit }), {
    write: (d) => process.stdout.write(d),
    status: (s) => {
      if (process.stdout.isTTY) process.stdout.write(`\x1b]2;${s}\x07`);
    },
  });
  const onKey = (b: Buffer) => {
    for (const k of keysOf(b.toString())) player.key(k);
  };
  if (tty) {
    process.stdin.setRawMode(true);
    process.stdin.on("data", onKey);
    process.stdin.resume();
  }
  try {
    process.stderr.write(`playing ${header.width}x${header.height} — space: pause, n/→: skip, q: quit\r\n`);
    await player.run();
  } finally {
    if (tty) {
      process.stdin.off("data", onKey);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
  }
}

export function register(program: Command): void {
  const rec = program.command("recordings").description("Session recordings");
  rec
    .command("ls")
    .description("List recordings")
    .option("--session <id>", "of one session")
    .action(async (o: { session?: string }, cmd: Command) => {
      const client = clientFor(targetOf(cmd));
      const rows = await all(
        (page, page_size) =>
          data(
            client.GET("/api/recordings", { params: { query: { page, page_size, session_id: o.session } } }),
          ),
        500,
      );
      if (globals(cmd).json) return printJson(rows);
      process.stdout.write(
        `${table(
          rows.map((r) => ({ ...r, age: ago(r.created_at) })),
          [
            ["session_public_id", "SESSION"],
            ["status", "STATUS"],
            ["duration_seconds", "SECONDS"],
            ["age", "AGE"],
            ["id", "ID"],
          ],
        )}\n`,
      );
    });

  rec
    .command("download")
    .description("Download a recording's .cast file (to stdout, or -o FILE)")
    .argument("<id>", "recording id")
    .option("-o, --output <file>", "write to this file")
    .action(async (id: string, o: { output?: string }, cmd: Command) => {
      const res = await download(targetOf(cmd), id);
      if (!res.body) throw new CliError("EMPTY", "The server sent no recording");
      const sink = o.output
        ? createWriteStream(o.output)
        : Writable.fromWeb(new WritableStream({ write: (c) => void process.stdout.write(c) }));
      await pipeline(res.body as unknown as NodeJS.ReadableStream, sink);
    });

  rec
    .command("play")
    .description("Replay a recording in this terminal at real speed")
    .argument("<id>", "recording id")
    .option("--speed <n>", "playback speed", "1")
    .option("--idle-limit <seconds>", "cap pauses at this many seconds", "2")
    .action(async (id: string, o: { speed: string; idleLimit: string }, cmd: Command) => {
      const res = await download(targetOf(cmd), id);
      await play(await res.text(), Number(o.speed) || 1, Number(o.idleLimit) || Number.POSITIVE_INFINITY);
    });
}
