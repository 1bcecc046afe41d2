// /api/remote-sessions: start a live SSH or telnet session, list and read sessions, join or watch over a WebSocket,
// invite participants, toggle recording, decide held commands, end. Guards and the contract live here;
// the operations in service.ts and participants.ts.

import { Permission } from "@nostromo/permissions";
import { type Context, Hono } from "hono";
import { assertMayActOn, currentUser, requirePermission } from "../auth/guard.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { killHooks } from "../command-center/kill-hooks.ts";
import { commandsFor, listCommandsOp } from "../commands/routes.ts";
import { op } from "../contract/op.ts";
import { pageQuery } from "../contract/schemas.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, ErrorCode } from "../errors.ts";
import { idParam, readJson, readQuery } from "../lib/validate.ts";
import { loginTag } from "../live/login-sockets.ts";
import { openTenantDb } from "../middleware/database.ts";
import { startRdp } from "../rdp/service.ts";
import { VERIFIED_VIEWER_HEADER } from "../session-room/participants.ts";
import { requestTenant, tenantContext } from "../tenancy/context.ts";
import { FEATURES } from "../tenancy/features.ts";
import { requireFeature } from "../tenancy/resolver.ts";
import { findTenant } from "../tenancy/tenant-record.ts";
import { LOCATION_HINT_HEADER, locationHintFor } from "../viewer-relay/placement.ts";
import { redeemTicket } from "../viewer-relay/ticket.ts";
import { pendingApprovals } from "./approvals.ts";
import { invitationsOf, invite, join, listViewers } from "./participants.ts";
import { presentSession } from "./present.ts";
import {
  ApprovalBody,
  ApprovalResult,
  Ended,
  InvitationPage,
  Participant,
  ParticipantBody,
  PendingApprovalPage,
  RecordingBody,
  RecordingState,
  Session,
  SessionPage,
  SessionQuery,
  SessionViewerPage,
  StartBody,
  Started,
} from "./schemas.ts";
import {
  canWatch,
  decideApproval,
  endSession,
  endSessionsOfLogin,
  findSession,
  listSessions,
  room,
  setRecording,
  startSession,
} from "./service.ts";

const TAG = "Sessions";
const WATCH = "session:view or session:join";

function assertWatch(u: UserPrincipal): void {
  if (!canWatch(u)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
}

/** The caller, its tenant context and the session named by the path (404 when not the tenant's). */
async function loadSession(c: Context<AppEnv>) {
  const u = currentUser(c);
  const ctx = requestTenant(c);
  const s = await findSession(ctx, idParam(c));
  return { u, ctx, s };
}

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ErrorCode, code);

/**
 * The room's answer to an upgrade: the socket, or its refusal as the API's own error (with this request's
 * id), so that a refusal has the one error body whatever part of the system made it.
 */
export async function relayUpgrade(res: Response): Promise<Response> {
  if (res.status === 101) return res;
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? "";
  const message = body?.error?.message ?? "The session refused the connection";
  throw new ApiError(isErrorCode(code) ? code : "INTERNAL_ERROR", message);
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** Browsers send cookies with cross-site WebSocket upgrades: a cookie login must come from our own origin. */
export function assertSameOriginUpgrade(c: Context<AppEnv>, u: UserPrincipal): void {
  const origin = c.req.header("origin");
  if (u.via === "cookie" && origin && originHost(origin) !== new URL(c.req.url).host) {
    throw new ApiError("CSRF_FAILED", "Cross-origin WebSocket upgrade refused");
  }
}

export const remoteSessionsRoutes = new Hono<AppEnv>()
  .post(
    "/",
    op({
      tag: TAG,
      summary: "Start a live SSH, telnet or RDP session through the connection's agent",
      description:
        "Answers once the agent has opened the shell (or failed); a telnet session is open once the agent reached the server, whose login prompt the user answers; an RDP session once the agent is ready to proxy the browser's RDP client, which opens ws_url. Join it at ws_url. The target's refusals answer TARGET_AUTH_FAILED, TARGET_UNREACHABLE or HOST_KEY_CHANGED, with the failed session in details.",
      access: "session:start (feature ssh)",
      body: StartBody,
      responses: { 201: Started },
      errors: [
        "NOT_FOUND",
        "AGENT_OFFLINE",
        "TARGET_AUTH_FAILED",
        "TARGET_UNREACHABLE",
        "HOST_KEY_CHANGED",
        "BAD_GATEWAY",
      ],
    }),
    requireFeature(FEATURES.SSH),
    requirePermission(Permission.START_SESSION),
    async (c) => {
      const body = await readJson(c, StartBody);
      return c.json(await startSession(requestTenant(c), currentUser(c), body, { rdp: startRdp }), 201);
    },
  )

  .get(
    "/",
    op({
      tag: TAG,
      summary: "The organization's sessions, newest first",
      access: WATCH,
      query: SessionQuery,
      responses: { 200: SessionPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const u = currentUser(c);
      assertWatch(u);
      const q = readQuery(c, SessionQuery);
      return c.json(await listSessions(requestTenant(c), q, u));
    },
  )

  .get(
    "/invitations",
    op({
      tag: TAG,
      summary: "The live sessions the caller was invited to and has not joined yet",
      description:
        "From POST /api/remote-sessions/{id}/participants; join one with GET /api/remote-sessions/{id}/ws.",
      access: WATCH,
      query: pageQuery,
      responses: { 200: InvitationPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    async (c) => {
      const u = currentUser(c);
      assertWatch(u);
      return c.json(await invitationsOf(requestTenant(c), u, readQuery(c, pageQuery)));
    },
  )

  .get(
    "/approvals",
    op({
      tag: TAG,
      summary: "Commands waiting for approval in the organization's live sessions",
      description: "Decide one with POST /api/remote-sessions/{id}/approvals/{command_id}.",
      access: "policies:manage",
      query: pageQuery,
      responses: { 200: PendingApprovalPage },
      errors: ["FORBIDDEN", "VALIDATION_ERROR"],
    }),
    requirePermission(Permission.MANAGE_POLICIES),
    async (c) => c.json(await pendingApprovals(requestTenant(c), readQuery(c, pageQuery))),
  )

  .get(
    "/:id",
    op({
      tag: TAG,
      summary: "One session",
      access: WATCH,
      responses: { 200: Session },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    async (c) => {
      const { s, u } = await loadSession(c);
      assertWatch(u);
      return c.json(presentSession(s, u));
    },
  )

  .get(
    "/:id/viewers",
    op({
      tag: TAG,
      summary: "The session's participants and viewers",
      access: WATCH,
      query: pageQuery,
      responses: { 200: SessionViewerPage },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    async (c) => {
      const { s, u, ctx } = await loadSession(c);
      assertWatch(u);
      return c.json(await listViewers(ctx, s, readQuery(c, pageQuery)));
    },
  )

  .delete(
    "/:id",
    op({
      tag: TAG,
      summary: "End a session",
      access: "session:end (Technician: only their own)",
      responses: { 200: Ended },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    async (c) => {
      const { s, u, ctx } = await loadSession(c);
      await assertMayActOn(c, u, Permission.END_SESSION, s.initiatedByUserId);
      return c.json(await endSession(ctx, u, s));
    },
  )

  .post(
    "/:id/participants",
    op({
      tag: TAG,
      summary: "Invite a user as collaborator (may type) or viewer",
      access: "the session's owner, or a participant who may share (feature collaboration)",
      body: ParticipantBody,
      responses: { 200: Participant },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    requireFeature(FEATURES.COLLABORATION),
    async (c) => {
      const { s, u, ctx } = await loadSession(c);
      const body = await readJson(c, ParticipantBody);
      return c.json(await invite(ctx, u, s, body));
    },
  )

  .post(
    "/:id/recording",
    op({
      tag: TAG,
      summary: "Start or stop recording a live session",
      description:
        "An RDP session is recorded from its first byte or not at all (the organization's auto-record): " +
        "turning recording on during one is 409 INVALID_STATE.",
      access: "session:record (feature recording)",
      body: RecordingBody,
      responses: { 200: RecordingState },
      errors: ["NOT_FOUND", "INVALID_STATE"],
    }),
    requireFeature(FEATURES.RECORDING),
    requirePermission(Permission.RECORD_SESSION),
    async (c) => {
      const { s, u, ctx } = await loadSession(c);
      const { enabled } = await readJson(c, RecordingBody);
      return c.json(await setRecording(ctx, u, s, enabled));
    },
  )

  .get(
    "/:id/ws",
    op({
      tag: TAG,
      summary: "Join or watch a live session (WebSocket)",
      description: "The viewer protocol's frames are described in docs/live-sessions.md.",
      access: WATCH,
      responses: { 101: "websocket" },
      errors: ["UPGRADE_REQUIRED", "CSRF_FAILED", "NOT_FOUND", "FORBIDDEN", "INVALID_STATE"],
    }),
    async (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
        throw new ApiError("UPGRADE_REQUIRED", "Expected a WebSocket upgrade");
      const { s, u, ctx } = await loadSession(c);
      assertSameOriginUpgrade(c, u);
      assertWatch(u);
      const who = await join(ctx, u, s);
      const headers = new Headers(c.req.raw.headers);
      headers.set(VERIFIED_VIEWER_HEADER, JSON.stringify(who));
      headers.set("x-nostromo-login-tag", u.loginId ? loginTag(u.loginId) : "");
      // Past a threshold a read-only watcher is placed on a viewer relay of its region (from the edge's
      // `request.cf`, always set here so a client cannot name one): the room answers a ticket the Worker
      // redeems at the relay (docs/fan-out.md).
      headers.set(LOCATION_HINT_HEADER, locationHintFor(c.req.raw.cf) ?? "");
      const res = await room(c.env, s.id).fetch(new Request(c.req.raw, { headers }));
      return relayUpgrade(await redeemTicket(c.env, res));
    },
  )

  .get("/:id/commands", listCommandsOp("The commands of one session"), async (c) => {
    const { s } = await loadSession(c);
    return c.json(await commandsFor(c, s.id));
  })

  .post(
    "/:id/approvals/:command_id",
    op({
      tag: TAG,
      summary: "Approve or deny a command held for approval",
      access: "policies:manage; never the command's own typist",
      body: ApprovalBody,
      responses: { 200: ApprovalResult },
      errors: ["NOT_FOUND", "FORBIDDEN"],
    }),
    async (c) => {
      const { s, u, ctx } = await loadSession(c);
      const commandId = idParam(c, "command_id");
      const { approve } = await readJson(c, ApprovalBody);
      return c.json(await decideApproval(ctx, u, s, commandId, approve));
    },
  )

  .get(
    "/:id/agent",
    op({
      tag: TAG,
      summary: "The agent's data socket for one session (WebSocket)",
      description: "Authenticated by the session's data token, which the SessionRoom checks itself.",
      access: "the session's agent",
      responses: { 101: "websocket" },
      errors: ["NOT_FOUND", "UNAUTHORIZED"],
    }),
    async (c) => relayUpgrade(await room(c.env, idParam(c)).fetch(c.req.raw)),
  );

// The kill switch ends every live session the killed login started.
killHooks.push(async (c, login) => {
  if (!login.tenantId) return {};
  const tenant = await findTenant(c.var.db, login.tenantId);
  if (!tenant) return {};
  const db = await openTenantDb(c, tenant);
  const ctx = tenantContext({ env: c.env, tenant, db, control: c.var.db });
  return { sessionsEnded: await endSessionsOfLogin(ctx, login.id) };
});
