// policy test: what the organization's policies decide for a command, and which rule decided it — the
// evaluate endpoint's answer.
import type { Command } from "commander";
import { clientFor, data } from "../api.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { resolveConnection } from "./session.ts";

export function register(program: Command): void {
  const policy = program.command("policy").description("Command policies");
  policy
    .command("test")
    .description("Show the decision and the rule for a command, as the policy engine gives it")
    .argument("<command>", "the command line, quoted")
    .option("-c, --connection <connection>", "as typed on this connection (name or id)")
    .option("--role <role-id>", "as typed by a user of this role")
    .action(async (line: string, o: { connection?: string; role?: string }, cmd: Command) => {
      const client = clientFor(targetOf(cmd));
      const body: { command: string; connection_id?: string; role_id?: string } = { command: line };
      if (o.connection) body.connection_id = (await resolveConnection(client, o.connection)).id;
      if (o.role) body.role_id = o.role;
      const d = await data(client.POST("/api/policies/evaluate", { body }));
      if (globals(cmd).json) return printJson(d);
      process.stdout.write(`${d.decision.toUpperCase()} (risk ${d.risk_level})\n`);
      if (d.rule)
        process.stdout.write(`rule: ${d.rule.policy_name} — ${d.rule.name} (${d.rule.pattern_type})\n`);
      if (d.reason) process.stdout.write(`reason: ${d.reason}\n`);
    });
}
