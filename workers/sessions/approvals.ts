// Commands waiting for approval across the organization's live sessions, for the approvers' view (the
// console's Live sessions page): each live session's room is asked what it holds right now. The rooms
// own the held commands (enforcement.ts); nothing is stored, so the answer is exactly what an approver
// can still decide.

import type { RoomFrame } from "@nostromo/protocol";
import { type PageQuery, pageOf } from "../contract/schemas.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { PendingApproval } from "./schemas.ts";
import { room } from "./service.ts";
import { sessionStore } from "./store.ts";

/** How many live sessions are asked at most (the newest first). */
const MAX_SESSIONS = 200;

export async function pendingApprovals(ctx: TenantContext, q: PageQuery) {
  const { rows } = await sessionStore(ctx).list({ status: "active", page: 1, page_size: MAX_SESSIONS });
  const held = await Promise.all(
    rows.map(async (s) => {
      const frames: RoomFrame[] = await room(ctx.env, s.id).pendingApprovals();
      return frames.flatMap((f): PendingApproval[] =>
        f.t === "approval"
          ? [
              {
                id: s.id,
                session_id: s.sessionId,
                command_id: f.commandId,
                command: f.command,
                typist_user_id: f.typist.userId,
                typist_name: f.typist.name,
                rule: f.rule,
                expires_at: new Date(f.expiresAt).toISOString(),
              },
            ]
          : [],
      );
    }),
  );
  const all = held.flat();
  const from = (q.page - 1) * q.page_size;
  return pageOf(q, all.slice(from, from + q.page_size), all.length);
}
