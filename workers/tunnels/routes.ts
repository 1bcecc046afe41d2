// /api/tunnels: open a TCP tunnel through a connection's agent, and the tunnel's WebSocket (docs/tunnels.md).
// A tunnel is then a session: listed, ended (DELETE /api/remote-sessions/:id) and killed like any other.

import { Permission } from "@nostromo/permissions";
import { Hono } from "hono";
import { currentUser, requirePermission } from "../auth/guard.ts";
import { op } from "../contract/op.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson, readQuery } from "../lib/validate.ts";
import { ownerSocket } from "../sessions/owner-socket.ts";
import { canWatch } from "../sessions/service.ts";
import { requestTenant } from "../tenancy/context.ts";
import { FEATURES } from "../tenancy/features.ts";
import { requireFeature } from "../tenancy/resolver.ts";
import { LiveTunnelPage, LiveTunnelQuery, TunnelBody, TunnelStarted } from "./schemas.ts";
import { isTunnel, listLiveTunnels, startTunnel } from "./service.ts";

const TAG = "Tunnels";

export const tunnelsRoutes = new Hono<AppEnv>()
  .post(
    "/",
    op({
      tag: TAG,
      summary: "Open a TCP tunnel to a connection's server through its agent",
      description:
        "Answers once the agent's tunnel socket is up. Open ws_url (WebSocket) and carry TCP streams over it (docs/tunnels.md); `nostromo tunnel` does. The tunnel is a session: DELETE /api/remote-sessions/{id} ends it.",
      access: "session:start (feature ssh)",
      body: TunnelBody,
      responses: { 201: TunnelStarted },
      errors: ["NOT_FOUND", "FORBIDDEN", "INVALID_STATE", "AGENT_OFFLINE", "BAD_GATEWAY"],
    }),
    requireFeature(FEATURES.SSH),
    requirePermission(Permission.START_SESSION),
    async (c) => {
      const body = await readJson(c, TunnelBody);
      return c.json(await startTunnel(requestTenant(c), currentUser(c), body), 201);
    },
  )

  .get(
    "/",
    op({
      tag: TAG,
      summary: "The organization's open tunnels, with their target and traffic so far",
      description:
        "For the live lists: bytes each way, connections so far and open now, as the tunnel's live session counts them. End one with DELETE /api/remote-sessions/{id}.",
      access: "session:view or session:join",
      query: LiveTunnelQuery,
      responses: { 200: LiveTunnelPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => {
      if (!canWatch(currentUser(c))) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
      return c.json(await listLiveTunnels(requestTenant(c), readQuery(c, LiveTunnelQuery)));
    },
  )

  .get(
    "/:id/ws",
    op({
      tag: TAG,
      summary: "The tunnel's stream socket (WebSocket), for the user who opened it",
      description: "Frames: packages/protocol/src/tunnel.ts, described in docs/tunnels.md.",
      access: "the tunnel's owner",
      responses: { 101: "websocket" },
      errors: ["UPGRADE_REQUIRED", "CSRF_FAILED", "NOT_FOUND", "FORBIDDEN", "INVALID_STATE"],
    }),
    (c) =>
      ownerSocket(c, {
        is: isTunnel,
        notKind: "This session is not a tunnel",
        notOwner: "Only who opened a tunnel uses it",
        roomPath: (id) => `/api/tunnels/${id}/tunnel`,
      }),
  );
