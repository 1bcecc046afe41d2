// Connections: list, read, create, change and delete, for a tenant context (a request, a Durable Object or a
// job). Secrets (password, certificate) are encrypted with the tenant's data key on the way in and never
// come back out; the plan's max_connections holds under a row lock; deletes are soft; every change audited.
// Who may act on whose connection is decided by the caller's `authorize` (the route's ownership guard).
import type { Db } from "../../db/client.ts";
import { DEFAULT_PORTS } from "../../db/schema/tenant/connection.ts";
import { agentStore } from "../agents/store.ts";
import { recordAudit } from "../audit/audit.ts";
import { iso, isoOrNull, pageOf } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { sshKeyStore } from "../ssh-keys/store.ts";
import { encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { type ConnectionRecord, cachedConnection } from "./cache.ts";
import { authIssues, type Connection, type CreateBody, type ListQuery, type UpdateBody } from "./schemas.ts";
import { type ConnectionChanges, connectionStore, type PublicRow } from "./store.ts";

/** Checks that the acting principal may act on a resource owned by `ownerId` (throws when not). */
export type Authorize = (ownerId: string) => Promise<void>;

export function presentConnection(r: PublicRow): Connection {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    hostname: r.hostname,
    port: r.port,
    username: r.username,
    auth_method: r.authMethod,
    has_password: r.hasPassword,
    ssh_key_id: r.sshKeyId,
    has_certificate: r.hasCertificate,
    description: r.description,
    tags: r.tags,
    environment: r.environment,
    created_by_user_id: r.createdByUserId,
    agent_id: r.agentId,
    host_key: r.hostKey,
    status: r.status,
    last_used: isoOrNull(r.lastUsed),
    total_sessions: r.totalSessions,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

/** A live connection's routing facts (no secrets), cached per isolate: for policy evaluation. */
export function loadConnection(db: Db, organizationId: string, id: string): Promise<ConnectionRecord | null> {
  return cachedConnection(organizationId, id, () =>
    connectionStore({ db, tenant: { id: organizationId } }).record(id),
  );
}

function invalid(path: string, message: string): ApiError {
  return new ApiError("VALIDATION_ERROR", "Request body failed validation", {
    fields: [{ path, message, code: "custom" }],
  });
}

/** An SSH key must be a live key of this organization and an agent an active agent enrolled for it. */
async function assertReferences(
  ctx: TenantContext,
  b: { ssh_key_id?: string | undefined; agent_id?: string | null | undefined },
) {
  if (b.ssh_key_id && !(await sshKeyStore(ctx).exists(b.ssh_key_id))) {
    throw invalid("ssh_key_id", "no such SSH key in this organization");
  }
  if (b.agent_id && !(await agentStore(ctx).isActive(b.agent_id))) {
    throw invalid("agent_id", "no such active agent in this organization");
  }
}

async function mustFind(ctx: TenantContext, id: string): Promise<PublicRow> {
  const row = await connectionStore(ctx).find(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such connection");
  return row;
}

export async function listConnections(ctx: TenantContext, q: ListQuery) {
  const { rows, total } = await connectionStore(ctx).list(q);
  return pageOf(q, rows.map(presentConnection), total);
}

export async function getConnection(ctx: TenantContext, id: string): Promise<Connection> {
  return presentConnection(await mustFind(ctx, id));
}

export async function createConnection(ctx: TenantContext, b: CreateBody): Promise<Connection> {
  if (ctx.actor.kind !== "user") throw new ApiError("FORBIDDEN", "Only a tenant user creates connections");
  await assertReferences(ctx, b);
  const seal = (text: string | undefined) => (text ? encryptForTenant(ctx.env, ctx.tenant, text) : null);
  const id = await connectionStore(ctx)
    .createWithinPlan({
      name: b.name,
      type: b.type,
      hostname: b.hostname,
      port: b.port ?? DEFAULT_PORTS[b.type],
      username: b.username,
      authMethod: b.auth_method,
      passwordEncrypted: await seal(b.password),
      sshKeyId: b.ssh_key_id ?? null,
      certificate: await seal(b.certificate),
      description: b.description ?? null,
      tags: b.tags,
      environment: b.environment,
      status: b.status,
      agentId: b.agent_id ?? null,
      createdByUserId: ctx.actor.id,
    })
    .catch(async (err: unknown) => {
      // Audited outside the transaction: its row lock on the organization would block the audit insert.
      if (err instanceof ApiError && err.code === "PLAN_LIMIT") {
        await recordAudit(ctx, {
          type: "connection.created",
          action: "create",
          description: `Creating connection ${b.name} refused: ${err.message}`,
          status: "failure",
          errorMessage: err.message,
          metadata: { name: b.name, reason: "plan_limit" },
        });
      }
      throw err;
    });
  const created = await mustFind(ctx, id);
  await recordAudit(ctx, {
    type: "connection.created",
    action: "create",
    description: `Created connection ${created.name} (${created.type} ${created.hostname}:${created.port})`,
    connectionId: id,
    metadata: {
      name: created.name,
      type: created.type,
      hostname: created.hostname,
      port: created.port,
      auth_method: created.authMethod,
      environment: created.environment,
    },
  });
  return presentConnection(created);
}

export async function updateConnection(
  ctx: TenantContext,
  id: string,
  b: UpdateBody,
  authorize: Authorize,
): Promise<Connection> {
  const store = connectionStore(ctx);
  const old = await store.findFull(id);
  if (!old) throw new ApiError("NOT_FOUND", "No such connection");
  await authorize(old.createdByUserId);

  const type = b.type ?? old.type;
  // A telnet connection logs in at the server's prompt: its method is `password`, with nothing stored.
  const method = b.auth_method ?? (type === "telnet" ? "password" : old.authMethod);
  const sameMethod = method === old.authMethod;
  const issues = authIssues(
    { type, auth_method: method, password: b.password, ssh_key_id: b.ssh_key_id, certificate: b.certificate },
    {
      password: sameMethod && old.passwordEncrypted !== null,
      ssh_key: sameMethod && old.sshKeyId !== null,
      certificate: sameMethod && old.certificate !== null,
    },
  );
  if (issues.length) {
    throw new ApiError("VALIDATION_ERROR", "Request body failed validation", {
      fields: issues.map((i) => ({ ...i, code: "custom" })),
    });
  }
  await assertReferences(ctx, b);

  // A type change moves a default port along with it; a port chosen by hand stays.
  const port = b.port ?? (b.type && old.port === DEFAULT_PORTS[old.type] ? DEFAULT_PORTS[b.type] : old.port);
  const hostname = b.hostname ?? old.hostname;
  const agentId = b.agent_id === undefined ? old.agentId : b.agent_id;
  const moved = hostname !== old.hostname || port !== old.port || agentId !== old.agentId;
  const seal = (text: string) => encryptForTenant(ctx.env, ctx.tenant, text);
  const set: ConnectionChanges = {
    type,
    port,
    hostname,
    agentId,
    authMethod: method,
    // Only the current method's secret is kept, and none for telnet.
    passwordEncrypted:
      method !== "password" || type === "telnet"
        ? null
        : b.password
          ? await seal(b.password)
          : old.passwordEncrypted,
    sshKeyId: method !== "ssh_key" ? null : (b.ssh_key_id ?? old.sshKeyId),
    certificate:
      method !== "certificate" ? null : b.certificate ? await seal(b.certificate) : old.certificate,
  };
  if (b.name !== undefined) set.name = b.name;
  if (b.username !== undefined) set.username = b.username;
  if (b.description !== undefined) set.description = b.description;
  if (b.tags !== undefined) set.tags = b.tags;
  if (b.environment !== undefined) set.environment = b.environment;
  if (b.status !== undefined) set.status = b.status;
  // The pinned host key belongs to the server reached before: a different server must be pinned afresh.
  if (moved) set.hostKey = null;
  await store.update(id, set);
  const updated = await mustFind(ctx, id);
  const changed = Object.keys(b);
  await recordAudit(ctx, {
    type: "connection.updated",
    action: "update",
    description: `Updated connection ${updated.name}: ${changed.join(", ")}`,
    connectionId: id,
    metadata: { changed, host_key_cleared: moved },
  });
  return presentConnection(updated);
}

export async function deleteConnection(ctx: TenantContext, id: string, authorize: Authorize): Promise<void> {
  const row = await mustFind(ctx, id);
  await authorize(row.createdByUserId);
  await connectionStore(ctx).softDelete(id);
  await recordAudit(ctx, {
    type: "connection.deleted",
    action: "delete",
    description: `Deleted connection ${row.name} (${row.type} ${row.hostname}:${row.port})`,
    connectionId: id,
    metadata: { name: row.name, created_by_user_id: row.createdByUserId },
  });
}
