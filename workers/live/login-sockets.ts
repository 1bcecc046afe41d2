// The kill switch's reach into live connections: every WebSocket a login opens on a Durable Object is
// registered here (auth.login_sockets); killing the login asks each of those objects to close them.
// A Durable Object plugs in by tagging its sockets `login:<id>` and implementing closeLogin (LiveObject).
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { loginSockets } from "../../db/schema/control/auth.ts";
import type { Bindings } from "../env.ts";

export type LiveObjectKind = "session_room" | "agent_link";

export interface LiveObject {
  /** Closes every socket opened by the login; returns how many were closed. */
  closeLogin(loginId: string, reason: string): Promise<number>;
}

export const KILLED_CLOSE_CODE = 4001;

export function loginTag(loginId: string): string {
  return `login:${loginId}`;
}

export async function registerLoginSocket(db: Db, loginId: string, kind: LiveObjectKind, objectName: string) {
  await db.insert(loginSockets).values({ loginId, objectKind: kind, objectName });
}

export async function unregisterLoginSocket(
  db: Db,
  loginId: string,
  kind: LiveObjectKind,
  objectName: string,
) {
  await db
    .delete(loginSockets)
    .where(
      and(
        eq(loginSockets.loginId, loginId),
        eq(loginSockets.objectKind, kind),
        eq(loginSockets.objectName, objectName),
      ),
    );
}

function stubFor(env: Bindings, kind: LiveObjectKind, name: string): LiveObject {
  const ns = kind === "session_room" ? env.SESSION_ROOM : env.AGENT_LINK;
  return ns.get(ns.idFromName(name)) as unknown as LiveObject;
}

export async function closeLoginSockets(env: Bindings, db: Db, loginId: string, reason: string) {
  const rows = await db.select().from(loginSockets).where(eq(loginSockets.loginId, loginId));
  let sockets = 0;
  const objects: { kind: string; name: string; closed: number }[] = [];
  for (const row of rows) {
    const closed = await stubFor(env, row.objectKind as LiveObjectKind, row.objectName)
      .closeLogin(loginId, reason)
      .catch(() => 0);
    sockets += closed;
    objects.push({ kind: row.objectKind, name: row.objectName, closed });
  }
  await db.delete(loginSockets).where(eq(loginSockets.loginId, loginId));
  return { sockets, objects };
}
