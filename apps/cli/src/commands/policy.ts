// policy test: what the organization's policies decide for a command, and which rule decided it — the
// evaluate endpoint's answer.
import type { Command } from "commander";
import { call } from "../api.ts";
import { printJson } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";
import { resolveConnection } from "./session.ts";

type Decision = Record<string, unknown> & { decision?: string; rule?: Record<string, unknown> | null };

export function register(program: Command): void {
  const policy = program.command("policy").description("Command policies");
  policy
    .command("test")
    .description("Show the decision and the rule for a command, as the policy engine gives it")
    .argument("<command>", "the command line, quoted")
    .option("-c, --connection <connection>", "as typed on this connection (name or id)")
    .option("--role <role-id>", "as typed by a user of this role")
    .action(async (line: string, o: { connection?: string; role?: string }, cmd: Command) => {
      const t = targetOf(cmd);
      const body: Record<string, unknown> = { command: line };
      if (o.connection) body.connection_id = (await resolveConnection(t, o.connection)).id;
      if (o.role) body.role_id = o.role;
      const d = await call<Decision>(t, "POST", "/api/policies/evaluate", body);
      if (globals(cmd).json) return printJson(d);
      const rule = d.rule;
      const risk = d.risk_level ?? d.riskLevel;
      process.stdout.write(`${String(d.decision ?? "?").toUpperCase()}${risk ? ` (risk ${risk})` : ""}\n`);
      if (rule) {
        const name = rule.policy_name ?? rule.policyName ?? rule.policy_id ?? rule.policyId ?? "";
        const pattern = rule.pattern ?? "";
        process.stdout.write(`rule: ${name} ${rule.type ? `${rule.type} ` : ""}${pattern}\n`);
      }
      if (d.reason) process.stdout.write(`reason: ${d.reason}\n`);
    });
}
