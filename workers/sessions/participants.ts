// Who takes part in a session: the viewer list, invitations (collaborator or viewer, by the owner or a
// participant who may share) and joining over the WebSocket, which decides the identity the SessionRoom
// trusts (role, may type, may approve). The room applies rights changes to live sockets at once.

import { Permission } from "@nostromo/permissions";
import { recordAudit } from "../audit/audit.ts";
import { can } from "../auth/guard.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { iso, type PageQuery, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { registerLoginSocket } from "../live/login-sockets.ts";
import type { ViewerIdentity } from "../session-room/session-room.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { sessionTypeOf } from "./kind.ts";
import { presentViewer } from "./present.ts";
import type { Invitation, ParticipantBody } from "./schemas.ts";
import { room } from "./service.ts";
import { type SessionRow, sessionStore } from "./store.ts";

export async function listViewers(ctx: TenantContext, s: SessionRow, q: PageQuery) {
  const { rows, total } = await sessionStore(ctx).viewers(s.id, q);
  return pageOf(q, rows.map(presentViewer), total);
}

/** The live sessions `u` was invited to and has not joined yet, newest invitation first. */
export async function invitationsOf(ctx: TenantContext, u: UserPrincipal, q: PageQuery) {
  const { rows, total } = await sessionStore(ctx).invitationsOf(u.id, q);
  return pageOf(
    q,
    rows.map(
      (r): Invitation => ({
        id: r.session.id,
        session_id: r.session.sessionId,
        type: sessionTypeOf(r.session.sessionId),
        role: r.viewer.role === "collaborator" ? "collaborator" : "viewer",
        invited_by_user_id: r.session.initiatedByUserId,
        invited_by_name: r.ownerName,
        invited_at: iso(r.viewer.joinedAt),
      }),
    ),
    total,
  );
}

export async function invite(ctx: TenantContext, u: UserPrincipal, s: SessionRow, body: ParticipantBody) {
  const store = sessionStore(ctx);
  const mine = await store.viewerOf(s.id, u.id);
  if (s.initiatedByUserId !== u.id && !mine?.canShare)
    throw new ApiError("FORBIDDEN", "Only the owner (or a participant who may share) invites");
  const invitee = await store.invitee(body.user_id);
  if (!invitee || invitee.id === s.initiatedByUserId)
    throw new ApiError("NOT_FOUND", "No such user to invite");
  const canType = body.role === "collaborator";
  await store.setParticipant(s.id, invitee.id, {
    role: body.role,
    canType,
    isActive: false,
    canShare: false,
  });
  const live = await room(ctx.env, s.id).updateParticipant(invitee.id, { role: body.role, canType });
  await recordAudit(ctx, {
    type: "session.shared",
    action: "share",
    description: `${u.email} made ${invitee.email} a ${body.role} of ${s.sessionId}`,
    sessionId: s.id,
    metadata: { userId: invitee.id, role: body.role },
  });
  return { user_id: invitee.id, role: body.role, can_type: canType, live_connections: live };
}

/** Records `u` joining a live session and answers the identity the room will trust for its socket. */
export async function join(ctx: TenantContext, u: UserPrincipal, s: SessionRow): Promise<ViewerIdentity> {
  if (s.status === "ended" || s.status === "error")
    throw new ApiError("INVALID_STATE", `The session is ${s.status}`);
  const store = sessionStore(ctx);
  const isOwner = s.initiatedByUserId === u.id;
  const row = await store.viewerOf(s.id, u.id);
  const role = isOwner ? "owner" : (row?.role ?? "viewer");
  // Typing needs the role's right to run commands (the seed's "Ejecutar comandos"), not only the invite;
  // the row holds what the invitation or the owner's last hand-over said (the room writes it).
  const mayRun = can(u, Permission.START_SESSION);
  const canType = mayRun && (isOwner || row?.canType === true);
  const viewerRowId = await store.join(s.id, u.id, row?.id ?? null, {
    role,
    isActive: true,
    canType,
    canShare: false,
  });
  if (u.loginId) await registerLoginSocket(ctx.control, u.loginId, "session_room", s.id);
  if (!isOwner) {
    await recordAudit(ctx, {
      type: "session.joined",
      action: "join",
      description: `${u.email} joined ${s.sessionId} as ${role}`,
      sessionId: s.id,
      metadata: { role, canType },
    });
  }
  return {
    userId: u.id,
    name: u.name,
    role,
    canType,
    mayType: mayRun,
    canSee: row?.canSee ?? true,
    canShare: isOwner || (row?.canShare ?? false),
    loginId: u.loginId,
    viewerRowId,
    roleId: u.roleId,
    canApprove: can(u, Permission.MANAGE_POLICIES),
  };
}
