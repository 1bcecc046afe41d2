// nostromo: the command line of Nostromo. Every command takes --context NAME and --json; errors print the
// API's error code and exit with a documented status (see `nostromo --help`).
import { Command, CommanderError } from "commander";
import { register as auditCommands } from "./commands/audit.ts";
import { register as authCommands } from "./commands/auth.ts";
import { register as completion } from "./commands/completion.ts";
import { register as execCommand } from "./commands/exec.ts";
import { register as listCommands } from "./commands/lists.ts";
import { register as policyCommands } from "./commands/policy.ts";
import { register as recordingCommands } from "./commands/recordings.ts";
import { register as sessionCommands } from "./commands/session.ts";
import { register as tunnelCommand } from "./commands/tunnel.ts";
import { asCliError, EXIT, exitStatusOf } from "./errors.ts";
import { printJson } from "./output.ts";

const EXIT_HELP = `
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
  for (const c of program.commands) c.exitOverride();
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    const json = process.argv.includes("--json");
    const e = asCliError(err);
    if (json)
      printJson({ error: { code: e.code, message: e.message, status: e.status, details: e.details } });
    else process.stderr.write(`nostromo: ${e.code}: ${e.message}\n`);
    process.exitCode = exitStatusOf(e);
  }
}

await main();
