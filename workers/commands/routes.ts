// GET /api/commands: the organization's command records, searchable by text, user, session, status, risk
// and time. Anyone who may watch sessions or read the audit trail may search them.

import { Permission } from "@nostromo/permissions";
import { type Context, Hono } from "hono";
import { can, currentUser } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readQuery } from "../lib/validate.ts";
import { requestTenant } from "../tenancy/context.ts";
import { CommandPage, CommandQuery } from "./schemas.ts";
import { searchCommands } from "./service.ts";

/** The commands a request may search; `session` pins one session (the per-session list). */
export async function commandsFor(c: Context<AppEnv>, session?: string) {
  const u = currentUser(c);
  if (!can(u, Permission.VIEW_SESSION) && !can(u, Permission.VIEW_AUDIT)) {
    throw new ApiError("FORBIDDEN", "Missing permission: session:view");
  }
  const q = readQuery(c, CommandQuery);
  return searchCommands(requestTenant(c), session ? { ...q, session_id: session } : q);
}

export const listCommandsOp = (summary: string) =>
  op({
    tag: "Commands",
    summary,
    access: "session:view or audit:view",
    query: CommandQuery,
    responses: { 200: CommandPage },
    errors: ["FORBIDDEN", "VALIDATION_ERROR"],
  });

export const commandsRoutes = new Hono<AppEnv>().get(
  "/",
  listCommandsOp("Search the organization's command records"),
  async (c) => c.json(await commandsFor(c)),
);
