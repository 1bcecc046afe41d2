// The socket of a session that only its owner uses — a TCP tunnel's stream socket (workers/tunnels), an
// RDP session's client socket (workers/rdp) — handed to the session's room: a WebSocket upgrade from the
// session's own origin, the tenant's session of the right kind, the user who started it (nobody else uses
// these: the stream cannot be shared; an RDP session is watched through the viewer socket instead, fed by
// the room — session-room/rdp-viewers.ts), the login registered for the kill switch, and the room's
// path for that kind with the verified owner in the header the room trusts.
import type { Context } from "hono";
import { currentUser } from "../auth/guard.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { idParam } from "../lib/validate.ts";
import { registerLoginSocket } from "../live/login-sockets.ts";
import { VERIFIED_VIEWER_HEADER, type ViewerIdentity } from "../session-room/participants.ts";
import { requestTenant } from "../tenancy/context.ts";
import { assertSameOriginUpgrade, relayUpgrade } from "./routes.ts";
import { findSession, room } from "./service.ts";

export interface OwnerSocketKind {
  /** Whether a session's public id is of this kind. */
  is(publicId: string): boolean;
  /** The refusals' messages: another kind of session, another user. */
  notKind: string;
  notOwner: string;
  /** The room's path for this kind's socket. */
  roomPath(id: string): string;
}

export async function ownerSocket(c: Context<AppEnv>, kind: OwnerSocketKind): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError("UPGRADE_REQUIRED", "Expected a WebSocket upgrade");
  const u = currentUser(c);
  assertSameOriginUpgrade(c, u);
  const ctx = requestTenant(c);
  const s = await findSession(ctx, idParam(c));
  if (!kind.is(s.sessionId)) throw new ApiError("INVALID_STATE", kind.notKind);
  if (s.initiatedByUserId !== u.id) throw new ApiError("FORBIDDEN", kind.notOwner);
  const who: ViewerIdentity = {
    userId: u.id,
    name: u.name,
    role: "owner",
    canType: true,
    mayType: true,
    canSee: true,
    canShare: false,
    loginId: u.loginId,
    viewerRowId: null,
    roleId: u.roleId,
    canApprove: false,
  };
  if (u.loginId) await registerLoginSocket(ctx.control, u.loginId, "session_room", s.id);
  const url = new URL(c.req.url);
  url.pathname = kind.roomPath(s.id);
  const headers = new Headers(c.req.raw.headers);
  headers.set(VERIFIED_VIEWER_HEADER, JSON.stringify(who));
  return relayUpgrade(await room(c.env, s.id).fetch(new Request(url, { headers })));
}
