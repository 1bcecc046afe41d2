// ssh, join, approve, deny: live sessions from the terminal. `ssh` opens a session on a connection and
// attaches; its exit status is the remote shell's (255 when the session could not be opened or was lost,
// as ssh does). `join` watches a colleague's session, typing only with --type and when allowed.
import type { Command } from "commander";
import { all, clientFor, data } from "../api.ts";
import { attach } from "../attach.ts";
import { CliError, EXIT } from "../errors.ts";
import { printJson } from "../output.ts";
import { globals, isUuid, targetOf } from "../session-context.ts";

type Client = ReturnType<typeof clientFor>;

export async function resolveConnection(client: Client, ref: string) {
  if (isUuid(ref)) return data(client.GET("/api/connections/{id}", { params: { path: { id: ref } } }));
  const rows = await all((page, page_size) =>
    data(client.GET("/api/connections", { params: { query: { page, page_size, search: ref } } })),
  );
  const exact = rows.filter((r) => r.name.toLowerCase() === ref.toLowerCase());
  if (exact.length === 1 && exact[0]) return exact[0];
  if (exact.length > 1)
    throw new CliError("AMBIGUOUS", `Several connections are named "${ref}": use its id`, 400);
  throw new CliError("NOT_FOUND", `No connection named "${ref}" (see \`nostromo ls\`)`, 404);
}

async function resolveSession(client: Client, ref: string) {
  if (isUuid(ref)) return data(client.GET("/api/remote-sessions/{id}", { params: { path: { id: ref } } }));
  const rows = await all(
    (page, page_size) =>
      data(client.GET("/api/remote-sessions", { params: { query: { page, page_size, status: "active" } } })),
    500,
  );
  const hit = rows.find((r) => r.session_id.toLowerCase() === ref.toLowerCase());
  if (!hit) throw new CliError("NOT_FOUND", `No live session ${ref} (see \`nostromo sessions --live\`)`, 404);
  return hit;
}

function closing(text: string): void {
  process.stderr.write(`\r\n${text}\r\n`);
}

export function register(program: Command): void {
  program
    .command("ssh")
    .description("Open a live session on a connection and attach this terminal (~. disconnects)")
    .argument("<connection>", "connection name or id")
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const t = targetOf(cmd);
      const client = clientFor(t);
      const conn = await resolveConnection(client, ref);
      const size = { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
      const s = await data(
        client.POST("/api/remote-sessions", { body: { connection_id: conn.id, ...size } }),
      );
      const id = s.id;
      const label = s.session_id;
      const r = await attach({ target: t, sessionId: id, label, typing: true });
      if (r.reason === "escape")
        await client.DELETE("/api/remote-sessions/{id}", { params: { path: { id } } }).catch(() => {});
      closing(r.reason === "exit" ? `Connection to ${conn.name} closed.` : `${r.message} (${label})`);
      process.exitCode = r.reason === "exit" ? (r.exitCode ?? 0) : r.reason === "ended" ? 0 : EXIT.SESSION;
    });

  program
    .command("join")
    .description("Watch a colleague's live session (type with --type when you may)")
    .argument("<session>", "session id or public id (SES-…)")
    .option("--type", "send keystrokes too (collaborators the owner lets type)")
    .action(async (ref: string, o: { type?: boolean }, cmd: Command) => {
      const t = targetOf(cmd);
      const s = await resolveSession(clientFor(t), ref);
      const label = s.session_id;
      const r = await attach({ target: t, sessionId: s.id, label, typing: Boolean(o.type) });
      closing(`${r.message} (${label})`);
      process.exitCode = r.reason === "lost" || r.reason === "killed" ? EXIT.SESSION : 0;
    });

  for (const verb of ["approve", "deny"] as const) {
    program
      .command(verb)
      .description(
        `${verb === "approve" ? "Approve" : "Deny"} a command waiting for approval in a live session`,
      )
      .argument("<session>", "session id or public id")
      .argument("<command>", "the waiting command's id (shown in the approval notice)")
      .action(async (sref: string, commandId: string, _o: unknown, cmd: Command) => {
        const client = clientFor(targetOf(cmd));
        const s = await resolveSession(client, sref);
        const r = await data(
          client.POST("/api/remote-sessions/{id}/approvals/{command_id}", {
            params: { path: { id: s.id, command_id: commandId } },
            body: { approve: verb === "approve" },
          }),
        );
        if (globals(cmd).json) printJson(r);
        else process.stdout.write(`${verb === "approve" ? "Approved" : "Denied"}.\n`);
      });
  }
}
