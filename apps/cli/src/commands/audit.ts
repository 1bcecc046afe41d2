// audit export: the audit trail as NDJSON or CSV, streamed to stdout as the server sends it.
import type { Command } from "commander";
import { clientFor } from "../api.ts";
import { CliError } from "../errors.ts";
import { targetOf } from "../session-context.ts";

const when = (v: string | undefined, flag: string) => {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new CliError("USAGE", `${flag}: not a date or time (${v})`);
  return d.toISOString();
};

export function register(program: Command): void {
  const audit = program.command("audit").description("The organization's audit trail");
  audit
    .command("export")
    .description("Stream the audit log to stdout")
    .option("--from <time>", "from this date/time (inclusive)")
    .option("--to <time>", "to this date/time (inclusive)")
    .option("--format <format>", "ndjson or csv", "ndjson")
    .action(async (o: { from?: string; to?: string; format: string }, cmd: Command) => {
      if (o.format !== "ndjson" && o.format !== "csv")
        throw new CliError("USAGE", "--format must be ndjson or csv");
      const { response } = await clientFor(targetOf(cmd)).GET("/api/audit/export", {
        params: { query: { format: o.format, from: when(o.from, "--from"), to: when(o.to, "--to") } },
        parseAs: "stream",
      });
      if (!response.body) return;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once("drain", r));
      }
    });
}
