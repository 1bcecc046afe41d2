// ls (connections), sessions, agents: tables for people, --json for scripts.
import type { Command } from "commander";
import { all } from "../api.ts";
import { ago, printJson, table } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";

type Row = Record<string, unknown>;

function show(cmd: Command, rows: Row[], columns: [string, string][]): void {
  if (globals(cmd).json) printJson(rows);
  else process.stdout.write(`${table(rows, columns)}\n`);
}

export function register(program: Command): void {
  program
    .command("ls")
    .alias("connections")
    .description("List the servers (connections) you may open")
    .option("-s, --search <text>", "name, host or description contains")
    .action(async (o: { search?: string }, cmd: Command) => {
      const q = o.search ? `?search=${encodeURIComponent(o.search)}` : "";
      const rows = await all<Row>(targetOf(cmd), `/api/connections${q}`);
      show(cmd, rows, [
        ["name", "NAME"],
        ["type", "TYPE"],
        ["hostname", "HOST"],
        ["port", "PORT"],
        ["username", "USER"],
        ["environment", "ENV"],
        ["status", "STATUS"],
        ["id", "ID"],
      ]);
    });

  program
    .command("sessions")
    .description("List live and past remote sessions")
    .option("--live", "only active sessions")
    .option("--status <status>", "active, disconnected, ended or error")
    .action(async (o: { live?: boolean; status?: string }, cmd: Command) => {
      const status = o.live ? "active" : o.status;
      const rows = await all<Row>(
        targetOf(cmd),
        `/api/remote-sessions${status ? `?status=${status}` : ""}`,
        200,
      );
      show(
        cmd,
        rows.map((r) => ({ ...r, age: ago(r.started_at as string) })),
        [
          ["session_id", "SESSION"],
          ["status", "STATUS"],
          ["connection_id", "CONNECTION"],
          ["initiated_by_user_id", "BY"],
          ["age", "AGE"],
          ["id", "ID"],
        ],
      );
    });

  program
    .command("agents")
    .description("List the organization's agents and their state")
    .action(async (_o: unknown, cmd: Command) => {
      const rows = await all<Row>(targetOf(cmd), "/api/agents");
      show(
        cmd,
        rows.map((r) => ({ ...r, seen: ago((r.last_seen_at ?? r.last_heartbeat) as string) })),
        [
          ["name", "NAME"],
          ["status", "STATUS"],
          ["online", "ONLINE"],
          ["version", "VERSION"],
          ["seen", "SEEN"],
          ["id", "ID"],
        ],
      );
    });
}
