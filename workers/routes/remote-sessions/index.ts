// /api/remote-sessions: start a live SSH session through the connection's agent, list and read sessions,
// join or watch over a WebSocket, invite participants, toggle recording, end. The SessionRoom object of
// each session owns everything live; these routes authorise and hand over.
import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import { connection } from "../../../db/schema/tenant/connection.ts";
import { session } from "../../../db/schema/tenant/session.ts";
import { sessionViewer } from "../../../db/schema/tenant/session-viewer.ts";
import { user } from "../../../db/schema/tenant/user.ts";
import { audit } from "../../audit/audit.ts";
import { assertMayActOn, can, currentUser, requirePermission } from "../../auth/guard.ts";
import { Permission } from "../../auth/permissions.ts";
import type { UserPrincipal } from "../../auth/principal.ts";
import { killHooks } from "../../command-center/kill-hooks.ts";
import { commandsFor, listCommandsOp } from "../../commands/routes.ts";
import { randomToken, sha256Hex } from "../../crypto/encoding.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { snake } from "../../lib/snake.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";
import { loginTag, registerLoginSocket } from "../../live/login-sockets.ts";
import { VERIFIED_VIEWER_HEADER, type ViewerIdentity } from "../../session-room/session-room.ts";
import { openFrame } from "../../sessions/open.ts";
import { assertAgentOfTenant, TargetError } from "../../sessions/target.ts";
import { FEATURES } from "../../tenancy/features.ts";
import { loadOrganization } from "../../tenancy/organization.ts";
import { requireFeature } from "../../tenancy/resolver.ts";

export const OPEN_TIMEOUT_MS = 20_000;

const startBody = z
  .object({
    connection_id: z.uuid(),
    cols: z.number().int().min(10).max(1000).default(80),
    rows: z.number().int().min(2).max(500).default(24),
  })
  .strict();

const listQuery = z.object({
  status: z.enum(["active", "ended", "disconnected", "error"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const participantBody = z.object({ user_id: z.uuid(), role: z.enum(["collaborator", "viewer"]) }).strict();
const recordingBody = z.object({ enabled: z.boolean() }).strict();
const approvalBody = z.object({ approve: z.boolean() }).strict();

const AGENT_FAILURES: Record<
  string,
  { code: "TARGET_AUTH_FAILED" | "TARGET_UNREACHABLE" | "HOST_KEY_CHANGED" | "BAD_GATEWAY"; message: string }
> = {
  AUTH_FAILED: { code: "TARGET_AUTH_FAILED", message: "The target refused the stored credentials" },
  CONNECT_FAILED: { code: "TARGET_UNREACHABLE", message: "The agent could not reach the target" },
  TIMEOUT: { code: "TARGET_UNREACHABLE", message: "The target did not answer in time" },
  HOST_KEY_CHANGED: {
    code: "HOST_KEY_CHANGED",
    message: "The target presented a different host key than the one pinned",
  },
};

function room(c: Context<AppEnv>, id: string) {
  return c.env.SESSION_ROOM.get(c.env.SESSION_ROOM.idFromName(id));
}

async function loadSession(c: Context<AppEnv>, id: string) {
  const u = currentUser(c);
  const db = c.var.scope?.db;
  if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
  const [s] = await db
    .select()
    .from(session)
    .where(and(eq(session.id, id), eq(session.organizationId, u.tenantId)));
  if (!s) throw new ApiError("NOT_FOUND", "No such session");
  return { s, db, u };
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function canWatch(u: UserPrincipal): boolean {
  return can(u, Permission.VIEW_SESSION) || can(u, Permission.JOIN_SESSION);
}

/** Public ids per organization and protocol: ssh-1, ssh-2… (unique index; retried on a race). */
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function insertSession(db: Tx, values: Omit<typeof session.$inferInsert, "sessionId">, prefix: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [{ n }] = (await db
      .select({
        n: sql<number>`coalesce(max((regexp_replace(${session.sessionId}, '^[a-z]+-', ''))::int), 0) + 1`,
      })
      .from(session)
      .where(
        and(
          eq(session.organizationId, values.organizationId),
          sql`${session.sessionId} like ${`${prefix}-%`}`,
        ),
      )) as [{ n: number }];
    try {
      // A savepoint: a lost race on the unique public id must not abort the caller's transaction.
      const [row] = await db.transaction((sp) =>
        sp
          .insert(session)
          .values({ ...values, sessionId: `${prefix}-${n}` })
          .returning(),
      );
      if (row) return row;
    } catch (err) {
      if (attempt === 4) throw err;
    }
  }
  throw new Error("could not allocate a session id");
}

export const remoteSessionsRoutes = new Hono<AppEnv>()
  .post("/", requireFeature(FEATURES.SSH), requirePermission(Permission.START_SESSION), async (c) => {
    const u = currentUser(c);
    const scope = c.var.scope;
    if (!scope) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const body = await readJson(c, startBody);
    const [conn] = await scope.db
      .select({
        id: connection.id,
        agentId: connection.agentId,
        type: connection.type,
        status: connection.status,
        deletedAt: connection.deletedAt,
      })
      .from(connection)
      .where(and(eq(connection.id, body.connection_id), eq(connection.organizationId, u.tenantId)));
    if (!conn || conn.deletedAt) throw new ApiError("NOT_FOUND", "No such connection");
    if (!conn.agentId) throw new ApiError("AGENT_OFFLINE", "No agent is assigned to this connection");
    try {
      await assertAgentOfTenant(c.var.db, conn.agentId, u.tenantId);
    } catch (err) {
      throw new ApiError("AGENT_OFFLINE", err instanceof Error ? err.message : "No usable agent");
    }
    const link = c.env.AGENT_LINK.get(c.env.AGENT_LINK.idFromName(conn.agentId));
    if (!(await link.isConnected())) throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
    const org = await loadOrganization(scope.db, u.tenantId);
    const record = org.settings.auto_record_sessions && scope.tenant.features.includes(FEATURES.RECORDING);
    // The session, its owner's viewer row and the connection's counters: all or nothing.
    const s = await scope.db.transaction(async (tx) => {
      const s = await insertSession(
        tx,
        {
          connectionId: conn.id,
          initiatedByUserId: u.id,
          organizationId: u.tenantId,
          status: "active",
          clientIp: c.var.clientIp,
          userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
          agentId: conn.agentId,
          loginSessionId: u.loginId,
          cols: body.cols,
          rows: body.rows,
          isRecording: record,
        },
        conn.type,
      );
      await tx.insert(sessionViewer).values({
        sessionId: s.id,
        userId: u.id,
        organizationId: u.tenantId,
        role: "owner",
        isActive: false,
        canType: true,
        canSee: true,
        canShare: true,
      });
      await tx
        .update(connection)
        .set({ lastUsed: new Date(), totalSessions: sql`${connection.totalSessions} + 1` })
        .where(eq(connection.id, conn.id));
      return s;
    });
    const dataToken = randomToken(32);
    // The shell integration's mark key: only the room and the agent ever hold it (docs/execution-guard.md).
    const markKey = randomToken(32);
    const r = room(c, s.id);
    await r.init({
      sessionUuid: s.id,
      publicId: s.sessionId,
      tenantId: u.tenantId,
      connectionId: conn.id,
      agentId: conn.agentId,
      ownerId: u.id,
      ownerLoginId: u.loginId,
      cols: body.cols,
      rows: body.rows,
      dataTokenHash: await sha256Hex(dataToken),
      idleTimeoutMs: org.settings.session_timeout,
      record,
      recordingRetentionDays: org.settings.recording_retention_days ?? 90,
      shellIntegration: true,
      markKey,
      approvalTimeoutMs: org.settings.approval_timeout_ms ?? 120_000,
      webhookUrl: org.settings.webhook_url ?? null,
    });
    let frame: Awaited<ReturnType<typeof openFrame>>;
    try {
      frame = await openFrame(c.env, scope.db, scope.tenant, {
        sessionUuid: s.id,
        connectionId: conn.id,
        dataToken,
        cols: body.cols,
        rows: body.rows,
        shellIntegration: true,
        markKey,
      });
    } catch (err) {
      const message = err instanceof TargetError ? err.message : "The connection cannot be used";
      await r.agentEvent({ t: "session.failed", sessionId: s.id, code: "INTERNAL", message });
      throw new ApiError("INVALID_STATE", message);
    }
    if (!(await link.sendFrame(frame))) {
      await r.agentEvent({
        t: "session.failed",
        sessionId: s.id,
        code: "CONNECT_FAILED",
        message: "The agent went offline",
      });
      throw new ApiError("AGENT_OFFLINE", "The connection's agent is offline");
    }
    const outcome = await r.waitForOutcome(OPEN_TIMEOUT_MS);
    const ok = outcome.status === "active";
    await audit(c, {
      type: "session.started",
      action: "start",
      description: ok
        ? `${u.email} started ${s.sessionId}`
        : `${u.email} could not start ${s.sessionId}: ${outcome.reason ?? outcome.status}`,
      status: ok ? "success" : "failure",
      sessionId: s.id,
      connectionId: conn.id,
      metadata: { publicId: s.sessionId, status: outcome.status, code: outcome.code, recording: record },
    });
    if (outcome.code === "HOST_KEY_CHANGED") {
      await audit(c, {
        type: "security.alert",
        action: "host_key_changed",
        description: `The host key of connection ${conn.id} changed; ${s.sessionId} was refused`,
        status: "failure",
        sessionId: s.id,
        connectionId: conn.id,
      });
    }
    if (outcome.status === "error") {
      const f = AGENT_FAILURES[outcome.code ?? ""] ?? {
        code: "BAD_GATEWAY" as const,
        message: outcome.reason ?? "The session failed",
      };
      throw new ApiError(f.code, `${f.message}${outcome.reason ? ` (${outcome.reason})` : ""}`, {
        session: { id: s.id, session_id: s.sessionId, status: "error" },
      });
    }
    if (outcome.status === "connecting") {
      await r.end("The agent did not open the session in time", "TIMEOUT");
      throw new ApiError("BAD_GATEWAY", "The agent did not open the session in time", {
        session: { id: s.id, session_id: s.sessionId, status: "ended" },
      });
    }
    return c.json(
      {
        id: s.id,
        session_id: s.sessionId,
        status: outcome.status,
        cols: body.cols,
        rows: body.rows,
        recording: record,
        ws_url: `/api/remote-sessions/${s.id}/ws`,
      },
      201,
    );
  })

  .get("/", async (c) => {
    const u = currentUser(c);
    if (!canWatch(u)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
    const q = readQuery(c, listQuery);
    const db = c.var.scope?.db;
    if (!db) throw new ApiError("TENANT_NOT_FOUND", "No tenant");
    const where: SQL[] = [eq(session.organizationId, u.tenantId)];
    if (q.status) where.push(eq(session.status, q.status));
    const rows = await db
      .select()
      .from(session)
      .where(and(...where))
      .orderBy(desc(session.startedAt))
      .limit(q.limit);
    return c.json({ data: rows.map((r) => snake(r)) });
  })

  .get("/:id", async (c) => {
    const { s, u } = await loadSession(c, idParam(c));
    if (!canWatch(u)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
    return c.json(snake(s));
  })

  .get("/:id/viewers", async (c) => {
    const { s, u, db } = await loadSession(c, idParam(c));
    if (!canWatch(u)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
    const rows = await db
      .select({
        id: sessionViewer.id,
        user_id: sessionViewer.userId,
        name: user.name,
        role: sessionViewer.role,
        joined_at: sessionViewer.joinedAt,
        left_at: sessionViewer.leftAt,
        is_active: sessionViewer.isActive,
        can_type: sessionViewer.canType,
        can_see: sessionViewer.canSee,
        can_share: sessionViewer.canShare,
      })
      .from(sessionViewer)
      .innerJoin(user, eq(user.id, sessionViewer.userId))
      .where(eq(sessionViewer.sessionId, s.id));
    return c.json({ data: rows.map((r) => snake(r)) });
  })

  .delete("/:id", async (c) => {
    const { s, u } = await loadSession(c, idParam(c));
    await assertMayActOn(c, u, Permission.END_SESSION, s.initiatedByUserId);
    const result = await room(c, s.id).end(`Ended by ${u.email}`);
    await audit(c, {
      type: "session.ended",
      action: "end",
      description: `${u.email} ended ${s.sessionId}`,
      sessionId: s.id,
      connectionId: s.connectionId,
    });
    return c.json({ id: s.id, session_id: s.sessionId, status: result.status });
  })

  .post("/:id/participants", requireFeature(FEATURES.COLLABORATION), async (c) => {
    const { s, u, db } = await loadSession(c, idParam(c));
    const body = await readJson(c, participantBody);
    const [mine] = await db
      .select({ role: sessionViewer.role, canShare: sessionViewer.canShare })
      .from(sessionViewer)
      .where(and(eq(sessionViewer.sessionId, s.id), eq(sessionViewer.userId, u.id)));
    if (s.initiatedByUserId !== u.id && !mine?.canShare)
      throw new ApiError("FORBIDDEN", "Only the owner (or a participant who may share) invites");
    const [invitee] = await db
      .select({ id: user.id, email: user.email })
      .from(user)
      .where(
        and(eq(user.id, body.user_id), eq(user.organizationId, u.tenantId), sql`${user.deletedAt} is null`),
      );
    if (!invitee || invitee.id === s.initiatedByUserId)
      throw new ApiError("NOT_FOUND", "No such user to invite");
    const canType = body.role === "collaborator";
    const existing = await db
      .select({ id: sessionViewer.id })
      .from(sessionViewer)
      .where(and(eq(sessionViewer.sessionId, s.id), eq(sessionViewer.userId, invitee.id)));
    if (existing.length) {
      await db
        .update(sessionViewer)
        .set({ role: body.role, canType })
        .where(
          inArray(
            sessionViewer.id,
            existing.map((e) => e.id),
          ),
        );
    } else {
      await db.insert(sessionViewer).values({
        sessionId: s.id,
        userId: invitee.id,
        organizationId: u.tenantId,
        role: body.role,
        isActive: false,
        canType,
        canSee: true,
        canShare: false,
      });
    }
    const live = await room(c, s.id).updateParticipant(invitee.id, { role: body.role, canType });
    await audit(c, {
      type: "session.shared",
      action: "share",
      description: `${u.email} made ${invitee.email} a ${body.role} of ${s.sessionId}`,
      sessionId: s.id,
      metadata: { userId: invitee.id, role: body.role },
    });
    return c.json({ user_id: invitee.id, role: body.role, can_type: canType, live_connections: live });
  })

  .post(
    "/:id/recording",
    requireFeature(FEATURES.RECORDING),
    requirePermission(Permission.RECORD_SESSION),
    async (c) => {
      const { s, u } = await loadSession(c, idParam(c));
      const { enabled } = await readJson(c, recordingBody);
      if (s.status !== "active" && s.status !== "disconnected")
        throw new ApiError("INVALID_STATE", `The session is ${s.status}`);
      const r = await room(c, s.id).setRecording(enabled, u.id);
      await audit(c, {
        type: enabled ? "session.recording.started" : "session.recording.stopped",
        action: enabled ? "record" : "stop_recording",
        description: `${u.email} ${enabled ? "started" : "stopped"} recording ${s.sessionId}`,
        sessionId: s.id,
        metadata: { recordingId: r.recordingId },
      });
      return c.json(r);
    },
  )

  .get("/:id/ws", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError("UPGRADE_REQUIRED", "Expected a WebSocket upgrade");
    const { s, u, db } = await loadSession(c, idParam(c));
    // Browsers send cookies with cross-site WebSocket upgrades: a cookie login must come from our own origin.
    const origin = c.req.header("origin");
    if (u.via === "cookie" && origin && originHost(origin) !== new URL(c.req.url).host) {
      throw new ApiError("CSRF_FAILED", "Cross-origin WebSocket upgrade refused");
    }
    if (!canWatch(u)) throw new ApiError("FORBIDDEN", "Missing permission: session:view");
    if (s.status === "ended" || s.status === "error")
      throw new ApiError("INVALID_STATE", `The session is ${s.status}`);
    const isOwner = s.initiatedByUserId === u.id;
    const [row] = await db
      .select()
      .from(sessionViewer)
      .where(and(eq(sessionViewer.sessionId, s.id), eq(sessionViewer.userId, u.id)));
    const role = isOwner ? "owner" : (row?.role ?? "viewer");
    // Typing needs the role's right to run commands (the seed's "Ejecutar comandos"), not only the invite.
    const mayRun = can(u, Permission.START_SESSION);
    const canType = mayRun && (isOwner || (role === "collaborator" && (row?.canType ?? true)));
    let viewerRowId = row?.id ?? null;
    if (row) {
      await db
        .update(sessionViewer)
        .set({ isActive: true, leftAt: null, joinedAt: new Date() })
        .where(eq(sessionViewer.id, row.id));
    } else {
      const [inserted] = await db
        .insert(sessionViewer)
        .values({
          sessionId: s.id,
          userId: u.id,
          organizationId: u.tenantId,
          role,
          isActive: true,
          canType,
          canSee: true,
          canShare: false,
        })
        .returning({ id: sessionViewer.id });
      viewerRowId = inserted?.id ?? null;
    }
    if (u.loginId) await registerLoginSocket(c.var.db, u.loginId, "session_room", s.id);
    if (!isOwner) {
      await audit(c, {
        type: "session.joined",
        action: "join",
        description: `${u.email} joined ${s.sessionId} as ${role}`,
        sessionId: s.id,
        metadata: { role, canType },
      });
    }
    const who: ViewerIdentity = {
      userId: u.id,
      name: u.name,
      role,
      canType,
      canSee: row?.canSee ?? true,
      canShare: isOwner || (row?.canShare ?? false),
      loginId: u.loginId,
      viewerRowId,
      roleId: u.roleId,
      canApprove: can(u, Permission.MANAGE_POLICIES),
    };
    const headers = new Headers(c.req.raw.headers);
    headers.set(VERIFIED_VIEWER_HEADER, JSON.stringify(who));
    headers.set("x-nostromo-login-tag", u.loginId ? loginTag(u.loginId) : "");
    return room(c, s.id).fetch(new Request(c.req.raw, { headers }));
  })

  .get("/:id/commands", listCommandsOp("The commands of one session"), async (c) => {
    const { s } = await loadSession(c, idParam(c));
    return c.json(await commandsFor(c, s.id));
  })

  .post("/:id/approvals/:commandId", async (c) => {
    const { s, u } = await loadSession(c, idParam(c));
    const commandId = idParam(c, "commandId");
    const { approve } = await readJson(c, approvalBody);
    const r = await room(c, s.id).decideApproval(commandId, approve, {
      userId: u.id,
      name: u.name,
      canApprove: can(u, Permission.MANAGE_POLICIES),
    });
    if (!r.ok) throw new ApiError(r.code === "FORBIDDEN" ? "FORBIDDEN" : "NOT_FOUND", r.message);
    return c.json({ commandId, approved: approve });
  })

  .get("/:id/agent", async (c) => {
    // The agent's data socket: authenticated by the session's data token, checked by the room itself.
    const id = idParam(c);
    const res = await room(c, id).fetch(c.req.raw);
    return res;
  });

// The kill switch ends every live session the killed login started.
killHooks.push(async (c, login) => {
  if (!login.tenantId) return {};
  const { findTenant } = await import("../../tenancy/tenant-record.ts");
  const { openTenantDb } = await import("../../tenancy/connection-manager.ts");
  const tenant = await findTenant(c.var.db, login.tenantId);
  if (!tenant) return {};
  const db = await openTenantDb(c, tenant);
  const live = await db
    .select({ id: session.id, publicId: session.sessionId })
    .from(session)
    .where(and(eq(session.loginSessionId, login.id), inArray(session.status, ["active", "disconnected"])));
  for (const s of live)
    await room(c, s.id).end(
      "The login that started this session was ended by a platform administrator",
      "KILLED",
    );
  return { sessionsEnded: live.map((s) => s.publicId) };
});
