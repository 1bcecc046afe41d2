// GET /api/commands: the organization's command records (COMMAND), searchable by text, user, status, risk
// and time; the same rows per session under /api/remote-sessions/:id/commands.

import { Permission } from "@nostromo/permissions";
import { and, desc, eq, gte, ilike, lte, type SQL } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { command } from "../../../db/schema/tenant/command.ts";
import { session } from "../../../db/schema/tenant/session.ts";
import { can, currentUser } from "../../auth/guard.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { containsPattern } from "../../lib/like.ts";
import { snake } from "../../lib/snake.ts";
import { readQuery } from "../../lib/validate.ts";

export const commandQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  user_id: z.uuid().optional(),
  session_id: z.uuid().optional(),
  status: z.enum(["executed", "blocked", "error", "timeout"]).optional(),
  risk_level: z.enum(["low", "medium", "high", "critical"]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export async function listCommands(c: Context<AppEnv>, forcedSession?: string) {
  const u = currentUser(c);
  if (!can(u, Permission.VIEW_SESSION) && !can(u, Permission.VIEW_AUDIT)) {
    throw new ApiError("FORBIDDEN", "Missing permission: session:view");
  }
  const db = c.var.scope?.db;
  if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
  const q = readQuery(c, commandQuery);
  const where: SQL[] = [eq(command.organizationId, u.tenantId)];
  const sessionId = forcedSession ?? q.session_id;
  if (sessionId) where.push(eq(command.sessionId, sessionId));
  if (q.q) where.push(ilike(command.command, containsPattern(q.q)));
  if (q.user_id) where.push(eq(command.userId, q.user_id));
  if (q.status) where.push(eq(command.status, q.status));
  if (q.risk_level) where.push(eq(command.riskLevel, q.risk_level));
  if (q.from) where.push(gte(command.executedAt, new Date(q.from)));
  if (q.to) where.push(lte(command.executedAt, new Date(q.to)));
  const rows = await db
    .select({ command, publicId: session.sessionId })
    .from(command)
    .innerJoin(session, eq(session.id, command.sessionId))
    .where(and(...where))
    .orderBy(desc(command.executedAt))
    .limit(q.limit);
  return c.json({ data: rows.map((r) => ({ ...snake(r.command), session_public_id: r.publicId })) });
}

export const commandsRoutes = new Hono<AppEnv>().get("/", (c) => listCommands(c));
