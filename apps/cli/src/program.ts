// The command tree of nostromo (apart from main.ts, which runs it, so that tests can walk it). Every
// command takes --context NAME and --json and answers --help; the exit statuses are in `nostromo --help`.
import { Command } from "commander";
import { register as auditCommands } from "./commands/audit.ts";
import { register as authCommands } from "./commands/auth.ts";
import { register as completion } from "./commands/completion.ts";
import { register as execCommand } from "./commands/exec.ts";
import { register as listCommands } from "./commands/lists.ts";
import { register as policyCommands } from "./commands/policy.ts";
import { register as recordingCommands } from "./commands/recordings.ts";
import { register as sessionCommands } from "./commands/session.ts";
import { register as tunnelCommand } from "./commands/tunnel.ts";

export const EXIT_HELP = `
Exit status:
  0  success                      4  not allowed (403), or blocked by policy (exec)
  1  unexpected failure (5xx)     5  not found (404)
  2  bad usage                    6  server unreachable
  3  not signed in / expired      7  request refused (other 4xx)
  ssh and exec exit with the remote command's status; 255 when the session could not be opened or was lost.

Environment: NOSTROMO_CONFIG (config file), NOSTROMO_CONTEXT (context to use), NOSTROMO_URL (default server).`;

export function buildProgram(): Command {
  const program = new Command("nostromo")
    .description(
      "Nostromo from your terminal: sign in, list servers, open and join live sessions, run commands through policy",
    )
    .version("0.1.0")
    .option("--context <name>", "use this saved context instead of the current one")
    .option("--json", "machine-readable output")
    .addHelpText("after", EXIT_HELP)
    .exitOverride()
    .showHelpAfterError();
  authCommands(program);
  listCommands(program);
  sessionCommands(program);
  execCommand(program);
  tunnelCommand(program);
  recordingCommands(program);
  policyCommands(program);
  auditCommands(program);
  completion(program);
  const override = (c: Command) => {
    c.exitOverride();
    for (const sub of c.commands) override(sub);
  };
  override(program);
  return program;
}
