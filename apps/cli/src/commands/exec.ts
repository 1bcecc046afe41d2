// exec: one command on a connection through the organization's policies; its output streamed to stdout
// (and stderr) as the command runs, its exit status as the CLI's (scripts and CI use it). A command the
// policy blocks never runs: exit 4 with the API's code and reason. `--json` waits for the end and prints
// the one JSON answer instead.
import type { Command } from "commander";
import { clientFor, data } from "../api.ts";
import { CliError } from "../errors.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { type ExecEvent, execLines } from "./exec-stream.ts";
import { resolveConnection } from "./session.ts";

const NDJSON = "application/x-ndjson";

async function put(out: NodeJS.WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((r) => out.once("drain", r));
}

export function register(program: Command): void {
  program
    .command("exec")
    .description("Run one command on a connection through policy; stream its output, exit with its status")
    .argument("<connection>", "connection name or id")
    .argument("<command...>", "the command (put it after --)")
    .option("--timeout <seconds>", "give up after this long (default 30, at most 300)", "30")
    .action(async (ref: string, words: string[], o: { timeout: string }, cmd: Command) => {
      const client = clientFor(targetOf(cmd));
      const conn = await resolveConnection(client, ref);
      const body = { command: words.join(" "), timeout_ms: Math.round(Number(o.timeout) * 1000) };
      const params = { path: { id: conn.id } };
      if (globals(cmd).json) {
        const r = await data(client.POST("/api/connections/{id}/exec", { params, body }));
        // The contract types 200 as the JSON answer or a stream line; without Accept it is the answer.
        if (!("output" in r)) throw new CliError("EMPTY", "The server sent no command result");
        printJson(r);
        process.exitCode = r.exit_code ?? 0;
        return;
      }
      const { response } = await client.POST("/api/connections/{id}/exec", {
        params,
        body,
        headers: { accept: NDJSON },
        parseAs: "stream",
      });
      if (!response.body) throw new CliError("EMPTY", "The server sent no answer");
      let last: ExecEvent | null = null;
      for await (const e of execLines(response.body)) {
        last = e;
        if (e.type === "output") await put(e.stream === "stderr" ? process.stderr : process.stdout, e.data);
        else if (e.type === "exit") {
          if (e.truncated)
            process.stderr.write("nostromo: the command's record kept only the first 64 KiB\n");
          process.exitCode = e.exit_code ?? 0;
        } else if (e.type === "error")
          throw new CliError(e.error.code, e.error.message, null, e.error.details);
      }
      if (last?.type !== "exit")
        throw new CliError("STREAM_BROKEN", "The output stream ended before the command");
    });
}
