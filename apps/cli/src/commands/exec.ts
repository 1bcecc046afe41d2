// exec: one command on a connection through the organization's policies; its output on stdout and its
// exit status as the CLI's (scripts and CI use it). A command the policy blocks exits 4 with the reason.
import type { Command } from "commander";
import { clientFor, data } from "../api.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { resolveConnection } from "./session.ts";

export function register(program: Command): void {
  program
    .command("exec")
    .description("Run one command on a connection through policy; exit with its status")
    .argument("<connection>", "connection name or id")
    .argument("<command...>", "the command (put it after --)")
    .option("--timeout <seconds>", "give up after this long (default 30, at most 300)", "30")
    .action(async (ref: string, words: string[], o: { timeout: string }, cmd: Command) => {
      const client = clientFor(targetOf(cmd));
      const conn = await resolveConnection(client, ref);
      const r = await data(
        client.POST("/api/connections/{id}/exec", {
          params: { path: { id: conn.id } },
          body: { command: words.join(" "), timeout_ms: Math.round(Number(o.timeout) * 1000) },
        }),
      );
      if (globals(cmd).json) printJson(r);
      else {
        process.stdout.write(r.output);
        if (r.truncated) process.stderr.write("nostromo: output truncated\n");
      }
      process.exitCode = r.exit_code ?? 0;
    });
}
