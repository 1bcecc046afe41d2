// /api/policies: the seed's POLICY with its BLOCKED_COMMAND rules, and POST /evaluate (the console's "test a
// command" box). Any tenant user reads and evaluates; changes need MANAGE_POLICIES. Every rule passes the
// engine's checkRule; every change bumps policy.version, invalidates the compiled set and is audited.

import { Permission } from "@nostromo/permissions";
import { and, asc, count, eq, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { Db } from "../../../db/client.ts";
import { blockedCommand, policy } from "../../../db/schema/tenant/policy.ts";
import { audit } from "../../audit/audit.ts";
import { can, currentUser, requirePermission, requireUser } from "../../auth/guard.ts";
import { loadConnection } from "../../connections/service.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";
import { evaluateCommand, PolicyCompileError } from "../../policy/index.ts";
import { invalidatePolicies, loadCompiledPolicies } from "../../policy-store.ts";
import type { TenantScope } from "../../tenancy/scope.ts";
import {
  assertRole,
  assertRule,
  assertScope,
  loadPolicy,
  presentPolicy,
  presentRule,
  rulesOf,
} from "./model.ts";
import {
  createBody,
  evaluateBody,
  listQuery,
  type RuleBody,
  ruleBody,
  rulePatch,
  updateBody,
} from "./schemas.ts";

function scopeOf(c: Context<AppEnv>): TenantScope {
  const s = c.var.scope;
  if (!s) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return s;
}

function ruleValues(tenantId: string, policyId: string, r: RuleBody, createdAt: Date) {
  return {
    policyId,
    organizationId: tenantId,
    name: r.name,
    description: r.description,
    pattern: r.pattern,
    patternType: r.pattern_type,
    severity: r.severity,
    examples: r.examples,
    appliesToTypes: r.applies_to_types,
    // Rules are evaluated in creation order (ties broken by it): a batch gets distinct, increasing times.
    createdAt,
  };
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Bumps the version (the compiled-set cache key) of a policy of this organization; false if none. */
async function bump(tx: Tx, tenantId: string, id: string): Promise<boolean> {
  const rows = await tx
    .update(policy)
    .set({ version: sql`${policy.version} + 1`, updatedAt: new Date() })
    .where(and(eq(policy.id, id), eq(policy.organizationId, tenantId)))
    .returning({ id: policy.id });
  return rows.length > 0;
}

async function ruleOf(db: Db, tenantId: string, policyId: string, ruleId: string) {
  const [r] = await db
    .select()
    .from(blockedCommand)
    .where(
      and(
        eq(blockedCommand.id, ruleId),
        eq(blockedCommand.policyId, policyId),
        eq(blockedCommand.organizationId, tenantId),
      ),
    );
  if (!r) throw new ApiError("NOT_FOUND", "No such rule in this policy");
  return r;
}

export const policiesRoutes = new Hono<AppEnv>()
  .post("/evaluate", requireUser(), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const b = await readJson(c, evaluateBody);
    let roleId = user.roleId;
    if (b.role_id && b.role_id !== user.roleId) {
      if (!can(user, Permission.MANAGE_POLICIES)) {
        throw new ApiError("FORBIDDEN", "Only policy managers may evaluate as another role", {
          missing: [Permission.MANAGE_POLICIES],
        });
      }
      await assertRole(db, tenant.id, b.role_id);
      roleId = b.role_id;
    }
    let connectionType = b.connection_type ?? null;
    if (b.connection_id) {
      const conn = await loadConnection(db, tenant.id, b.connection_id);
      if (!conn) throw new ApiError("NOT_FOUND", "No such connection");
      connectionType = conn.type;
    }
    try {
      const compiled = await loadCompiledPolicies(db, tenant.id);
      return c.json(
        evaluateCommand(compiled, b.command, {
          roleId,
          connectionId: b.connection_id ?? null,
          connectionType,
        }),
      );
    } catch (err) {
      if (err instanceof PolicyCompileError) {
        throw new ApiError("INVALID_STATE", `A stored rule cannot be compiled: ${err.message}`, {
          policy_id: err.policyId,
          rule_id: err.ruleId,
          code: err.code,
        });
      }
      throw err;
    }
  })

  .get("/", requireUser(), async (c) => {
    const { tenant, db } = scopeOf(c);
    const q = readQuery(c, listQuery);
    const where: SQL[] = [eq(policy.organizationId, tenant.id)];
    if (q.is_active) where.push(eq(policy.isActive, q.is_active === "true"));
    const cond = and(...where);
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(policy)
        .where(cond)
        .orderBy(asc(policy.createdAt), asc(policy.id))
        .limit(q.pageSize)
        .offset(pageOffset(q)),
      db.select({ n: count() }).from(policy).where(cond),
    ]);
    const rules = await rulesOf(
      db,
      tenant.id,
      rows.map((p) => p.id),
    );
    return c.json(
      pageOf(
        q,
        rows.map((p) => presentPolicy(p, rules.get(p.id) ?? [])),
        total?.n,
      ),
    );
  })

  .get("/:id", requireUser(), async (c) => {
    const { tenant, db } = scopeOf(c);
    return c.json(await loadPolicy(db, tenant.id, idParam(c)));
  })

  .post("/", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const b = await readJson(c, createBody);
    b.blocked_commands.forEach((r, i) => {
      assertRule(r, `blocked_commands.${i}.`);
    });
    await assertScope(db, tenant.id, b);
    const id = await db.transaction(async (tx) => {
      const [p] = await tx
        .insert(policy)
        .values({
          name: b.name,
          description: b.description,
          organizationId: tenant.id,
          isActive: b.is_active,
          appliesToRoles: b.applies_to_roles,
          appliesToConnections: b.applies_to_connections,
          allowedCommands: b.allowed_commands,
          requireApproval: b.require_approval,
          autoDisconnectOnViolation: b.auto_disconnect_on_violation,
          notifyOnViolation: b.notify_on_violation,
          uncheckableAction: b.uncheckable_action,
          createdByUserId: user.id,
        })
        .returning({ id: policy.id });
      const policyId = (p as { id: string }).id;
      const now = Date.now();
      if (b.blocked_commands.length > 0) {
        await tx
          .insert(blockedCommand)
          .values(b.blocked_commands.map((r, i) => ruleValues(tenant.id, policyId, r, new Date(now + i))));
      }
      return policyId;
    });
    invalidatePolicies(tenant.id);
    const created = await loadPolicy(db, tenant.id, id);
    await audit(c, {
      type: "policy.created",
      action: "create",
      description: `Created policy ${created.name} with ${created.blocked_commands.length} rule(s)`,
      metadata: {
        policy_id: id,
        name: created.name,
        is_active: created.is_active,
        rules: created.blocked_commands.map((r) => ({
          name: r.name,
          pattern_type: r.pattern_type,
          pattern: r.pattern,
        })),
        applies_to_roles: created.applies_to_roles,
        applies_to_connections: created.applies_to_connections,
        uncheckable_action: created.uncheckable_action,
      },
    });
    return c.json(created, 201);
  })

  .patch("/:id", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const b = await readJson(c, updateBody);
    const before = await loadPolicy(db, tenant.id, id);
    await assertScope(db, tenant.id, b);
    const set: Partial<typeof policy.$inferInsert> = {};
    if (b.name !== undefined) set.name = b.name;
    if (b.description !== undefined) set.description = b.description;
    if (b.is_active !== undefined) set.isActive = b.is_active;
    if (b.applies_to_roles !== undefined) set.appliesToRoles = b.applies_to_roles;
    if (b.applies_to_connections !== undefined) set.appliesToConnections = b.applies_to_connections;
    if (b.allowed_commands !== undefined) set.allowedCommands = b.allowed_commands;
    if (b.require_approval !== undefined) set.requireApproval = b.require_approval;
    if (b.auto_disconnect_on_violation !== undefined)
      set.autoDisconnectOnViolation = b.auto_disconnect_on_violation;
    if (b.notify_on_violation !== undefined) set.notifyOnViolation = b.notify_on_violation;
    if (b.uncheckable_action !== undefined) set.uncheckableAction = b.uncheckable_action;
    await db
      .update(policy)
      .set({ ...set, version: sql`${policy.version} + 1` })
      .where(and(eq(policy.id, id), eq(policy.organizationId, tenant.id)));
    invalidatePolicies(tenant.id);
    const after = await loadPolicy(db, tenant.id, id);
    const changed = Object.keys(b);
    await audit(c, {
      type: "policy.updated",
      action: "update",
      description: `Updated policy ${after.name}: ${changed.join(", ")}`,
      metadata: {
        policy_id: id,
        version: after.version,
        changed,
        before: Object.fromEntries(changed.map((k) => [k, before[k as keyof typeof before]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k as keyof typeof after]])),
      },
    });
    return c.json(after);
  })

  .delete("/:id", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const before = await loadPolicy(db, tenant.id, id);
    // Its rules go with it (ON DELETE CASCADE).
    await db.delete(policy).where(and(eq(policy.id, id), eq(policy.organizationId, tenant.id)));
    invalidatePolicies(tenant.id);
    await audit(c, {
      type: "policy.deleted",
      action: "delete",
      description: `Deleted policy ${before.name} and its ${before.blocked_commands.length} rule(s)`,
      metadata: {
        policy_id: id,
        name: before.name,
        rules: before.blocked_commands.map((r) => ({
          name: r.name,
          pattern_type: r.pattern_type,
          pattern: r.pattern,
        })),
      },
    });
    return c.body(null, 204);
  })

  .post("/:id/rules", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const b = await readJson(c, ruleBody);
    assertRule(b, "");
    const rule = await db.transaction(async (tx) => {
      if (!(await bump(tx, tenant.id, id))) throw new ApiError("NOT_FOUND", "No such policy");
      const [r] = await tx
        .insert(blockedCommand)
        .values(ruleValues(tenant.id, id, b, new Date()))
        .returning();
      return r as NonNullable<typeof r>;
    });
    invalidatePolicies(tenant.id);
    const after = await loadPolicy(db, tenant.id, id);
    await audit(c, {
      type: "policy.updated",
      action: "rule_added",
      description: `Added rule ${rule.name} to policy ${after.name}`,
      metadata: { policy_id: id, version: after.version, rule: presentRule(rule) },
    });
    return c.json({ rule: presentRule(rule), policy: after }, 201);
  })

  .patch("/:id/rules/:ruleId", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const ruleId = idParam(c, "ruleId");
    const b = await readJson(c, rulePatch);
    const old = await ruleOf(db, tenant.id, id, ruleId);
    // The rule as it will be is what must pass: a new pattern against the old examples, and vice versa.
    // Checking costs up to seconds of CPU (the ReDoS proof), so a change of name or severity skips it.
    if (b.pattern !== undefined || b.pattern_type !== undefined || b.examples !== undefined) {
      assertRule(
        {
          pattern: b.pattern ?? old.pattern,
          pattern_type: b.pattern_type ?? old.patternType,
          examples: b.examples ?? old.examples,
        },
        "",
      );
    }
    const set: Partial<typeof blockedCommand.$inferInsert> = { updatedAt: new Date() };
    if (b.name !== undefined) set.name = b.name;
    if (b.description !== undefined) set.description = b.description;
    if (b.pattern !== undefined) set.pattern = b.pattern;
    if (b.pattern_type !== undefined) set.patternType = b.pattern_type;
    if (b.severity !== undefined) set.severity = b.severity;
    if (b.examples !== undefined) set.examples = b.examples;
    if (b.applies_to_types !== undefined) set.appliesToTypes = b.applies_to_types;
    const rule = await db.transaction(async (tx) => {
      const [r] = await tx
        .update(blockedCommand)
        .set(set)
        .where(and(eq(blockedCommand.id, ruleId), eq(blockedCommand.organizationId, tenant.id)))
        .returning();
      await bump(tx, tenant.id, id);
      return r as NonNullable<typeof r>;
    });
    invalidatePolicies(tenant.id);
    const after = await loadPolicy(db, tenant.id, id);
    await audit(c, {
      type: "policy.updated",
      action: "rule_updated",
      description: `Updated rule ${rule.name} of policy ${after.name}: ${Object.keys(b).join(", ")}`,
      metadata: { policy_id: id, version: after.version, before: presentRule(old), after: presentRule(rule) },
    });
    return c.json({ rule: presentRule(rule), policy: after });
  })

  .delete("/:id/rules/:ruleId", requirePermission(Permission.MANAGE_POLICIES), async (c) => {
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const ruleId = idParam(c, "ruleId");
    const old = await ruleOf(db, tenant.id, id, ruleId);
    await db.transaction(async (tx) => {
      await tx
        .delete(blockedCommand)
        .where(and(eq(blockedCommand.id, ruleId), eq(blockedCommand.organizationId, tenant.id)));
      await bump(tx, tenant.id, id);
    });
    invalidatePolicies(tenant.id);
    const after = await loadPolicy(db, tenant.id, id);
    await audit(c, {
      type: "policy.updated",
      action: "rule_deleted",
      description: `Deleted rule ${old.name} of policy ${after.name}`,
      metadata: { policy_id: id, version: after.version, rule: presentRule(old) },
    });
    return c.body(null, 204);
  });
