// /api/rdp/:id/ws: the browser's RDP socket (IronRDP's RDCleanPath + RDP bytes) into the session's room,
// for the user who started the session only. Opening one is POST /api/remote-sessions with an `rdp`
// connection (workers/rdp/service.ts); it is then a session: listed, ended and killed like any other.
import { Hono } from "hono";
import { currentUser } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { idParam } from "../lib/validate.ts";
import { registerLoginSocket } from "../live/login-sockets.ts";
import { VERIFIED_VIEWER_HEADER, type ViewerIdentity } from "../session-room/participants.ts";
import { assertSameOriginUpgrade, relayUpgrade } from "../sessions/routes.ts";
import { findSession, room } from "../sessions/service.ts";
import { requestTenant } from "../tenancy/context.ts";
import { isRdp } from "./service.ts";

export const rdpRoutes = new Hono<AppEnv>().get(
  "/:id/ws",
  op({
    tag: "Sessions",
    summary: "An RDP session's socket (WebSocket) for the browser's RDP client, for the user who started it",
    description:
      "Binary frames: the IronRDP web client's RDCleanPath request, then RDP; the connection's agent is the RDCleanPath proxy (docs/live-sessions.md, RDP sessions).",
    access: "the session's owner",
    responses: { 101: "websocket" },
    errors: ["UPGRADE_REQUIRED", "CSRF_FAILED", "NOT_FOUND", "FORBIDDEN", "INVALID_STATE"],
  }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError("UPGRADE_REQUIRED", "Expected a WebSocket upgrade");
    const u = currentUser(c);
    assertSameOriginUpgrade(c, u);
    const ctx = requestTenant(c);
    const s = await findSession(ctx, idParam(c));
    if (!isRdp(s.sessionId)) throw new ApiError("INVALID_STATE", "This session is not an RDP session");
    if (s.initiatedByUserId !== u.id)
      throw new ApiError("FORBIDDEN", "Only who started an RDP session uses it");
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
    url.pathname = `/api/rdp/${s.id}/rdp`;
    const headers = new Headers(c.req.raw.headers);
    headers.set(VERIFIED_VIEWER_HEADER, JSON.stringify(who));
    return relayUpgrade(await room(c.env, s.id).fetch(new Request(url, { headers })));
  },
);
