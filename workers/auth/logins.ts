// Login sessions (auth.user_sessions): creating one for a successful login, and revoking — the basis of
// logout, the idle timeout, user deletion and the Command Center's kill switch.
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { Db } from "../../db/client.ts";
import { userSessions } from "../../db/schema/control/auth.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { closeLoginSockets } from "../live/login-sockets.ts";
import { SID_COOKIE } from "./authenticate.ts";
import { csrfTokenFor, hashToken, newSid } from "./tokens.ts";

export const LOGIN_TTL_MS = 12 * 60 * 60 * 1000;

export interface NewLogin {
  principalType: "super_admin" | "tenant_user";
  userId: string;
  tenantId: string | null;
  email: string;
  userName: string;
  roleName: string;
  pendingStep?: string | null;
}

export async function startLogin(c: Context<AppEnv>, l: NewLogin) {
  const sid = newSid();
  const expiresAt = new Date(Date.now() + LOGIN_TTL_MS);
  const [row] = await c.var.db
    .insert(userSessions)
    .values({
      ...l,
      pendingStep: l.pendingStep ?? null,
      tokenHash: await hashToken(sid),
      ipAddress: c.var.clientIp,
      userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
      expiresAt,
    })
    .returning({ id: userSessions.id });
  setCookie(c, SID_COOKIE, sid, {
    httpOnly: true,
    sameSite: "Lax",
    secure: c.env.ENVIRONMENT !== "development",
    path: "/",
    expires: expiresAt,
  });
  return { loginId: row?.id as string, csrfToken: await csrfTokenFor(sid), expiresAt };
}

export async function revokeLogin(c: Context<AppEnv>, loginId: string, reason: string, by: string | null) {
  const rows = await c.var.db
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: reason, revokedBy: by })
    .where(and(eq(userSessions.id, loginId), isNull(userSessions.revokedAt)))
    .returning({ id: userSessions.id });
  return rows.length > 0;
}

/** Ends every live login of a tenant user (deletion, deactivation, password reset) and closes its sockets. */
export async function endUserLogins(
  ctx: { env: Bindings; control: Db },
  tenantId: string,
  userId: string,
  reason: string,
  by: string | null,
): Promise<{ logins: number; sockets: number }> {
  const ended = await ctx.control
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: reason, revokedBy: by })
    .where(
      and(
        eq(userSessions.userId, userId),
        eq(userSessions.tenantId, tenantId),
        eq(userSessions.principalType, "tenant_user"),
        isNull(userSessions.revokedAt),
      ),
    )
    .returning({ id: userSessions.id });
  let sockets = 0;
  for (const { id } of ended) {
    sockets += (await closeLoginSockets(ctx.env, ctx.control, id, "Your login was ended")).sockets;
  }
  return { logins: ended.length, sockets };
}

/** Ends every live login of a tenant user but `keep` (a changed password): how many. */
export async function endOtherLogins(
  control: Db,
  tenantId: string,
  userId: string,
  keep: string | null,
  reason: string,
): Promise<number> {
  const ended = await control
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: reason, revokedBy: userId })
    .where(
      and(
        eq(userSessions.userId, userId),
        eq(userSessions.tenantId, tenantId),
        isNull(userSessions.revokedAt),
        keep ? ne(userSessions.id, keep) : undefined,
      ),
    )
    .returning({ id: userSessions.id });
  return ended.length;
}

/** The login's pending step is done (2FA enrolled). */
export async function clearPendingStep(control: Db, loginId: string): Promise<void> {
  await control.update(userSessions).set({ pendingStep: null }).where(eq(userSessions.id, loginId));
}
