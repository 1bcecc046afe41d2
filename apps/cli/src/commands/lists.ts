// ls (connections), sessions, agents: tables for people, --json for scripts.

import type { paths } from "@nostromo/client";
import type { Command } from "commander";
import { all, clientFor, data } from "../api.ts";
import { ago, printJson, table } from "../output.ts";
import { globals, targetOf } from "../session-context.ts";

type SessionFilter = NonNullable<paths["/api/remote-sessions"]["get"]["parameters"]["query"]>;
type SessionStatus = NonNullable<SessionFilter["status"]>;
type SessionType = NonNullable<SessionFilter["type"]>;
type Row = Record<string, unknown>;

function show(cmd: Command, rows: object[], columns: [string, string][]): void {
  if (globals(cmd).json) printJson(rows);
  else process.stdout.write(`${table(rows as Row[], columns)}\n`);
}

export function register(program: Command): void {
  program
    .command("ls")
    .alias("connections")
    .description("List the servers (connections) you may open")
    .option("-s, --search <text>", "name, host or description contains")
    .action(async (o: { search?: string }, cmd: Command) => {
      const client = clientFor(targetOf(cmd));
      const rows = await all((page, page_size) =>
        data(client.GET("/api/connections", { params: { query: { page, page_size, search: o.search } } })),
      );
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
    .option("--type <type>", "ssh, telnet, vnc, rdp or tunnel")
    .action(async (o: { live?: boolean; status?: string; type?: string }, cmd: Command) => {
      const status = o.live ? "active" : o.status;
      const client = clientFor(targetOf(cmd));
      const rows = await all(
        (page, page_size) =>
          data(
            client.GET("/api/remote-sessions", {
              params: {
                query: {
                  page,
                  page_size,
                  status: status as SessionStatus | undefined,
                  type: o.type as SessionType | undefined,
                },
              },
            }),
          ),
        200,
      );
      show(
        cmd,
        rows.map((r) => ({ ...r, age: ago(r.started_at) })),
        [
          ["session_id", "SESSION"],
          ["type", "TYPE"],
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
      const client = clientFor(targetOf(cmd));
      const rows = await all((page, page_size) =>
        data(client.GET("/api/agents", { params: { query: { page, page_size } } })),
      );
      show(
        cmd,
        rows.map((r) => ({ ...r, seen: ago(r.last_seen_at) })),
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
