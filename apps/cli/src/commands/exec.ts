// exec: one command on a connection through the organization's policies; its output on stdout and its
// exit status as the CLI's (scripts and CI use it). A command the policy blocks exits 4 with the reason.
import type { Command } from "commander";
import { call } from "../api.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { resolveConnection } from "./session.ts";

interface ExecResult {
  command_id: string;
  output: string;
  exit_code: number | null;
  duration_ms: number;
  truncated: boolean;
}

export function register(program: Command): void {
  program
    .command("exec")
    .description("Run one command on a connection through policy; exit with its status")
    .argument("<connection>", "connection name or id")
    .argument("<command...>", "the command (put it after --)")
    .option("--timeout <seconds>", "give up after this long (default 30, at most 300)", "30")
    .action(async (ref: string, words: string[], o: { timeout: string }, cmd: Command) => {
      const t = targetOf(cmd);
      const conn = await resolveConnection(t, ref);
      const r = await call<ExecResult>(t, "POST", `/api/connections/${conn.id}/exec`, {
        command: words.join(" "),
        timeout_ms: Math.round(Number(o.timeout) * 1000),
      });
      if (globals(cmd).json) printJson(r);
      else {
        process.stdout.write(r.output);
        if (r.truncated) process.stderr.write("nostromo: output truncated\n");
      }
      process.exitCode = r.exit_code ?? 0;
    });
}
