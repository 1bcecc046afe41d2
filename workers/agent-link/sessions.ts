// The agent's sessions when its link drops or comes back: live ones wait for it (disconnected) within
// their grace window; after a restart, the ones still waiting are reopened (a new shell — or telnet
// connection — on the same screen) unless the agent says it still holds them.

import type { SessionOpenFrame, TelnetOpenFrame } from "@nostromo/protocol";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { session } from "../../db/schema/tenant/session.ts";
import type { Databases } from "../db/databases.ts";
import type { Bindings } from "../env.ts";
import { reopenFrame } from "../sessions/open.ts";
import type { AgentIdentity } from "./store.ts";

/** This agent's sessions of its own tenant in one state. */
function agentSessions(db: Db, a: AgentIdentity, status: "active" | "disconnected") {
  return db
    .select({ id: session.id })
    .from(session)
    .where(
      and(eq(session.agentId, a.agentId), eq(session.organizationId, a.tenantId), eq(session.status, status)),
    );
}

/** The link is gone: the agent's live sessions wait for it (disconnected) within their grace window. */
export async function sessionsLost(env: Bindings, linkDb: Databases, a: AgentIdentity): Promise<void> {
  await linkDb
    .tenant(a.tenantId, async (db) => {
      const live = await agentSessions(db, a, "active");
      for (const { id } of live)
        await env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(id)).agentLost(a.agentId);
    })
    .catch((err) => logError("marking sessions lost failed", err));
}

/** After a restart the agent holds no connection to the target for sessions still waiting for it: reopen
 * them, each with the frame of its own type. */
export async function reopenSessions(
  env: Bindings,
  linkDb: Databases,
  a: AgentIdentity,
  held: string[],
  send: (frame: SessionOpenFrame | TelnetOpenFrame) => boolean,
): Promise<void> {
  await linkDb
    .tenant(a.tenantId, async (db, tenant) => {
      const waiting = await agentSessions(db, a, "disconnected");
      for (const { id } of waiting) {
        if (held.includes(id)) continue;
        const room = env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(id));
        const prep = await room.prepareReopen();
        if (!prep) continue;
        try {
          send(await reopenFrame(env, db, tenant, id, prep));
        } catch (err) {
          await room.agentEvent({
            t: "session.failed",
            sessionId: id,
            code: "INTERNAL",
            message: err instanceof Error ? err.message : "cannot reopen",
          });
        }
      }
    })
    .catch((err) => logError("reopen failed", err));
}

function logError(msg: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", msg, error: String(err) }));
}
