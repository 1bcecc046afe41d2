// nostromo: the command line of Nostromo (the commands: program.ts). Errors print the API's error code (or
// one JSON error document with --json) and exit with a documented status (errors.ts, `nostromo --help`).
import { CommanderError } from "commander";
import { asCliError, EXIT, exitStatusOf } from "./errors.ts";
import { printJson } from "./output.ts";
import { buildProgram } from "./program.ts";

// A reader that stopped early (`nostromo … | head`) closes the pipe: that ends the command quietly, as for
// any Unix tool, instead of an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(EXIT.OK);
    throw err;
  });
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
