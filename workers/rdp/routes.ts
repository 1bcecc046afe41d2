// /api/rdp/:id/ws: the browser's RDP socket (IronRDP's RDCleanPath + RDP bytes) into the session's room,
// for the user who started the session only. Opening one is POST /api/remote-sessions with an `rdp`
// connection (workers/rdp/service.ts); it is then a session: listed, ended and killed like any other.
import { Hono } from "hono";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ownerSocket } from "../sessions/owner-socket.ts";
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
  (c) =>
    ownerSocket(c, {
      is: isRdp,
      notKind: "This session is not an RDP session",
      notOwner: "Only who started an RDP session uses it",
      roomPath: (id) => `/api/rdp/${id}/rdp`,
    }),
);
