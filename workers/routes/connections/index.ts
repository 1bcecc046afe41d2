// /api/connections: the seed's CONNECTION. Secrets (password, certificate) are encrypted with the tenant's
// data key and never returned — responses say has_password / has_certificate. The plan's max_connections
// is enforced under a row lock, deletes are soft, Technicians delete only their own, every change audited.

import { Permission } from "@nostromo/permissions";
import { and, asc, count, eq, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { Db } from "../../../db/client.ts";
import { agents } from "../../../db/schema/control/agents.ts";
import { connection } from "../../../db/schema/tenant/connection.ts";
import { organization } from "../../../db/schema/tenant/organization.ts";
import { sshKey } from "../../../db/schema/tenant/ssh-key.ts";
import { audit } from "../../audit/audit.ts";
import { assertMayActOn, currentUser, requirePermission } from "../../auth/guard.ts";
import { invalidateConnection } from "../../connection-store.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { containsPattern } from "../../lib/like.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";
import { encryptForTenant } from "../../tenancy/connection-manager.ts";
import type { TenantScope } from "../../tenancy/scope.ts";
import { authIssues, createBody, DEFAULT_PORTS, listQuery, updateBody } from "./schemas.ts";
import { testConnection } from "./test.ts";

export const publicColumns = {
  id: connection.id,
  name: connection.name,
  type: connection.type,
  hostname: connection.hostname,
  port: connection.port,
  username: connection.username,
  authMethod: connection.authMethod,
  hasPassword: sql<boolean>`${connection.passwordEncrypted} is not null`,
  sshKeyId: connection.sshKeyId,
  hasCertificate: sql<boolean>`${connection.certificate} is not null`,
  description: connection.description,
  tags: connection.tags,
  environment: connection.environment,
  organizationId: connection.organizationId,
  createdByUserId: connection.createdByUserId,
  agentId: connection.agentId,
  hostKey: connection.hostKey,
  status: connection.status,
  lastUsed: connection.lastUsed,
  totalSessions: connection.totalSessions,
  createdAt: connection.createdAt,
  updatedAt: connection.updatedAt,
};

const selectPublic = (db: Db) => db.select(publicColumns).from(connection);
type PublicRow = Awaited<ReturnType<typeof selectPublic>>[number];

/** The API's view of a connection: the seed's field names, flags instead of secrets. */
export function present(r: PublicRow) {
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
    organization_id: r.organizationId,
    created_by_user_id: r.createdByUserId,
    agent_id: r.agentId,
    host_key: r.hostKey,
    status: r.status,
    last_used: r.lastUsed,
    total_sessions: r.totalSessions,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function scopeOf(c: Context<AppEnv>): TenantScope {
  const s = c.var.scope;
  if (!s) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return s;
}

const live = (tenantId: string, id: string) =>
  and(eq(connection.id, id), eq(connection.organizationId, tenantId), isNull(connection.deletedAt));

async function findPublic(db: Db, tenantId: string, id: string): Promise<PublicRow> {
  const [row] = await selectPublic(db).where(live(tenantId, id));
  if (!row) throw new ApiError("NOT_FOUND", "No such connection");
  return row;
}

function invalid(path: string, message: string): ApiError {
  return new ApiError("VALIDATION_ERROR", "Request body failed validation", {
    fields: [{ path, message, code: "custom" }],
  });
}

/** An SSH key id is usable only if it is a live key of this organization (anything else looks the same). */
async function assertKey(db: Db, tenantId: string, id: string): Promise<void> {
  const [k] = await db
    .select({ id: sshKey.id })
    .from(sshKey)
    .where(and(eq(sshKey.id, id), eq(sshKey.organizationId, tenantId), isNull(sshKey.deletedAt)));
  if (!k) throw invalid("ssh_key_id", "no such SSH key in this organization");
}

/** An agent id must name an active agent enrolled for this tenant (control plane, command.agents). */
async function assertAgent(c: Context<AppEnv>, tenantId: string, id: string): Promise<void> {
  const [a] = await c.var.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.id, id), eq(agents.tenantId, tenantId), eq(agents.status, "active")));
  if (!a) throw invalid("agent_id", "no such active agent in this organization");
}

export const connectionsRoutes = new Hono<AppEnv>()
  .get("/", requirePermission(Permission.READ_CONNECTION), async (c) => {
    const { tenant, db } = scopeOf(c);
    const q = readQuery(c, listQuery);
    const where: (SQL | undefined)[] = [
      eq(connection.organizationId, tenant.id),
      isNull(connection.deletedAt),
    ];
    if (q.type) where.push(eq(connection.type, q.type));
    if (q.status) where.push(eq(connection.status, q.status));
    if (q.environment) where.push(eq(connection.environment, q.environment));
    if (q.tag) where.push(sql`${q.tag} = any(${connection.tags})`);
    if (q.search) {
      const p = containsPattern(q.search);
      where.push(
        or(ilike(connection.name, p), ilike(connection.hostname, p), ilike(connection.description, p)),
      );
    }
    const cond = and(...where);
    const [rows, [total]] = await Promise.all([
      selectPublic(db)
        .where(cond)
        .orderBy(asc(connection.name), asc(connection.id))
        .limit(q.pageSize)
        .offset(pageOffset(q)),
      db.select({ n: count() }).from(connection).where(cond),
    ]);
    return c.json(pageOf(q, rows.map(present), total?.n));
  })

  .get("/:id", requirePermission(Permission.READ_CONNECTION), async (c) => {
    const { tenant, db } = scopeOf(c);
    return c.json(present(await findPublic(db, tenant.id, idParam(c))));
  })

  .post("/", requirePermission(Permission.CREATE_CONNECTION), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const b = await readJson(c, createBody);
    if (b.ssh_key_id) await assertKey(db, tenant.id, b.ssh_key_id);
    if (b.agent_id) await assertAgent(c, tenant.id, b.agent_id);
    const passwordEncrypted = b.password ? await encryptForTenant(c.env, tenant, b.password) : null;
    const certificate = b.certificate ? await encryptForTenant(c.env, tenant, b.certificate) : null;

    const id = await db
      .transaction(async (tx) => {
        // The organization row is the lock that keeps concurrent creations from overshooting the plan.
        const [org] = await tx
          .select({ max: organization.maxConnections })
          .from(organization)
          .where(eq(organization.id, tenant.id))
          .for("update");
        const [used] = await tx
          .select({ n: count() })
          .from(connection)
          .where(and(eq(connection.organizationId, tenant.id), isNull(connection.deletedAt)));
        const max = org?.max ?? 0;
        if ((used?.n ?? 0) >= max) {
          throw new ApiError("PLAN_LIMIT", `Your plan allows at most ${max} connections`, {
            limit: "max_connections",
            max,
          });
        }
        const [row] = await tx
          .insert(connection)
          .values({
            name: b.name,
            type: b.type,
            hostname: b.hostname,
            port: b.port ?? DEFAULT_PORTS[b.type],
            username: b.username,
            authMethod: b.auth_method,
            passwordEncrypted,
            sshKeyId: b.ssh_key_id ?? null,
            certificate,
            description: b.description ?? null,
            tags: b.tags,
            environment: b.environment,
            status: b.status,
            agentId: b.agent_id ?? null,
            organizationId: tenant.id,
            createdByUserId: user.id,
          })
          .returning({ id: connection.id });
        return (row as { id: string }).id;
      })
      .catch(async (err: unknown) => {
        // Audited outside the transaction: its row lock on the organization would block the audit insert.
        if (err instanceof ApiError && err.code === "PLAN_LIMIT") {
          await audit(c, {
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
    const created = await findPublic(db, tenant.id, id);
    await audit(c, {
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
    return c.json(present(created), 201);
  })

  .patch("/:id", requirePermission(Permission.UPDATE_CONNECTION), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const b = await readJson(c, updateBody);
    const [old] = await db
      .select({
        name: connection.name,
        type: connection.type,
        hostname: connection.hostname,
        port: connection.port,
        authMethod: connection.authMethod,
        passwordEncrypted: connection.passwordEncrypted,
        sshKeyId: connection.sshKeyId,
        certificate: connection.certificate,
        agentId: connection.agentId,
        createdByUserId: connection.createdByUserId,
      })
      .from(connection)
      .where(live(tenant.id, id));
    if (!old) throw new ApiError("NOT_FOUND", "No such connection");
    await assertMayActOn(c, user, Permission.UPDATE_CONNECTION, old.createdByUserId);

    const type = b.type ?? old.type;
    const method = b.auth_method ?? old.authMethod;
    const sameMethod = method === old.authMethod;
    const issues = authIssues(
      {
        type,
        auth_method: method,
        password: b.password,
        ssh_key_id: b.ssh_key_id,
        certificate: b.certificate,
      },
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
    if (b.ssh_key_id) await assertKey(db, tenant.id, b.ssh_key_id);
    if (b.agent_id) await assertAgent(c, tenant.id, b.agent_id);

    // A type change moves a default port along with it; a port chosen by hand stays.
    const port =
      b.port ?? (b.type && old.port === DEFAULT_PORTS[old.type] ? DEFAULT_PORTS[b.type] : old.port);
    const hostname = b.hostname ?? old.hostname;
    const agentId = b.agent_id === undefined ? old.agentId : b.agent_id;
    const moved = hostname !== old.hostname || port !== old.port || agentId !== old.agentId;
    const set: Partial<typeof connection.$inferInsert> = {
      type,
      port,
      hostname,
      agentId,
      authMethod: method,
      // Only the current method's secret is kept.
      passwordEncrypted:
        method !== "password"
          ? null
          : b.password
            ? await encryptForTenant(c.env, tenant, b.password)
            : old.passwordEncrypted,
      sshKeyId: method !== "ssh_key" ? null : (b.ssh_key_id ?? old.sshKeyId),
      certificate:
        method !== "certificate"
          ? null
          : b.certificate
            ? await encryptForTenant(c.env, tenant, b.certificate)
            : old.certificate,
    };
    if (b.name !== undefined) set.name = b.name;
    if (b.username !== undefined) set.username = b.username;
    if (b.description !== undefined) set.description = b.description;
    if (b.tags !== undefined) set.tags = b.tags;
    if (b.environment !== undefined) set.environment = b.environment;
    if (b.status !== undefined) set.status = b.status;
    // The pinned host key belongs to the server reached before: a different server must be pinned afresh.
    if (moved) set.hostKey = null;
    await db.update(connection).set(set).where(live(tenant.id, id));
    invalidateConnection(tenant.id, id);
    const updated = await findPublic(db, tenant.id, id);
    const changed = Object.keys(b);
    await audit(c, {
      type: "connection.updated",
      action: "update",
      description: `Updated connection ${updated.name}: ${changed.join(", ")}`,
      connectionId: id,
      metadata: { changed, host_key_cleared: moved },
    });
    return c.json(present(updated));
  })

  .delete("/:id", requirePermission(Permission.DELETE_CONNECTION), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const row = await findPublic(db, tenant.id, id);
    await assertMayActOn(c, user, Permission.DELETE_CONNECTION, row.createdByUserId);
    await db.update(connection).set({ deletedAt: new Date() }).where(live(tenant.id, id));
    invalidateConnection(tenant.id, id);
    await audit(c, {
      type: "connection.deleted",
      action: "delete",
      description: `Deleted connection ${row.name} (${row.type} ${row.hostname}:${row.port})`,
      connectionId: id,
      metadata: { name: row.name, created_by_user_id: row.createdByUserId },
    });
    return c.body(null, 204);
  })

  .post("/:id/test", requirePermission(Permission.READ_CONNECTION, Permission.START_SESSION), async (c) =>
    testConnection(c, scopeOf(c), idParam(c)),
  );
