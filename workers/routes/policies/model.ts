// What /api/policies reads and writes besides the routes themselves: a rule's admission through the engine's
// checkRule (→ INVALID_REGEX / UNSAFE_REGEX / EXAMPLE_NOT_MATCHED / INVALID_PATTERN with the field and the
// example), the scope references (roles visible to the organization, its live connections), and the
// policies as the API shows them, with their rules in evaluation order.
import { and, asc, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { connection } from "../../../db/schema/tenant/connection.ts";
import { blockedCommand, policy } from "../../../db/schema/tenant/policy.ts";
import { role } from "../../../db/schema/tenant/role.ts";
import { ApiError } from "../../errors.ts";
import { checkRule, type PatternType } from "../../policy/index.ts";

export type PolicyRow = typeof policy.$inferSelect;
export type RuleRow = typeof blockedCommand.$inferSelect;

export function presentRule(r: RuleRow) {
  return {
    id: r.id,
    policy_id: r.policyId,
    name: r.name,
    description: r.description,
    pattern: r.pattern,
    pattern_type: r.patternType,
    severity: r.severity,
    examples: r.examples,
    applies_to_types: r.appliesToTypes,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function presentPolicy(p: PolicyRow, rules: RuleRow[]) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    organization_id: p.organizationId,
    is_active: p.isActive,
    applies_to_roles: p.appliesToRoles,
    applies_to_connections: p.appliesToConnections,
    blocked_commands: rules.map(presentRule),
    allowed_commands: p.allowedCommands,
    require_approval: p.requireApproval,
    auto_disconnect_on_violation: p.autoDisconnectOnViolation,
    notify_on_violation: p.notifyOnViolation,
    uncheckable_action: p.uncheckableAction,
    version: p.version,
    created_by_user_id: p.createdByUserId,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** The rules of these policies, grouped by policy, in the order the engine evaluates them. */
export async function rulesOf(
  db: Db,
  tenantId: string,
  policyIds: string[],
): Promise<Map<string, RuleRow[]>> {
  const byPolicy = new Map<string, RuleRow[]>(policyIds.map((id) => [id, []]));
  if (policyIds.length === 0) return byPolicy;
  const rows = await db
    .select()
    .from(blockedCommand)
    .where(and(eq(blockedCommand.organizationId, tenantId), inArray(blockedCommand.policyId, policyIds)))
    .orderBy(asc(blockedCommand.createdAt), asc(blockedCommand.id));
  for (const r of rows) byPolicy.get(r.policyId)?.push(r);
  return byPolicy;
}

export async function loadPolicy(db: Db, tenantId: string, id: string) {
  const [p] = await db
    .select()
    .from(policy)
    .where(and(eq(policy.id, id), eq(policy.organizationId, tenantId)));
  if (!p) throw new ApiError("NOT_FOUND", "No such policy");
  const rules = (await rulesOf(db, tenantId, [id])).get(id) ?? [];
  return presentPolicy(p, rules);
}

/** Refuses a rule the engine would not run as intended; `path` names it in the request body. */
export function assertRule(
  rule: { pattern: string; pattern_type: PatternType; examples: string[] },
  path: string,
): void {
  const r = checkRule({ pattern: rule.pattern, patternType: rule.pattern_type, examples: rule.examples });
  if (r.ok) return;
  const field =
    r.code === "EXAMPLE_NOT_MATCHED" && r.example !== undefined
      ? `${path}examples.${rule.examples.indexOf(r.example)}`
      : `${path}pattern`;
  throw new ApiError(r.code, r.message, {
    fields: [{ path: field, message: r.message, code: r.code }],
    ...(r.example === undefined ? {} : { example: r.example }),
  });
}

function invalid(fields: { path: string; message: string }[]): ApiError {
  return new ApiError("VALIDATION_ERROR", "Request body failed validation", {
    fields: fields.map((f) => ({ ...f, code: "custom" })),
  });
}

/** Role ids must be predefined roles or this organization's own; connection ids its live connections. */
export async function assertScope(
  db: Db,
  tenantId: string,
  scope: { applies_to_roles?: string[]; applies_to_connections?: string[] },
): Promise<void> {
  const bad: { path: string; message: string }[] = [];
  const roles = scope.applies_to_roles ?? [];
  if (roles.length > 0) {
    const found = await db
      .select({ id: role.id })
      .from(role)
      .where(
        and(inArray(role.id, roles), or(isNull(role.organizationId), eq(role.organizationId, tenantId))),
      );
    const ok = new Set(found.map((r) => r.id));
    roles.forEach((id, i) => {
      if (!ok.has(id))
        bad.push({ path: `applies_to_roles.${i}`, message: "no such role in this organization" });
    });
  }
  const conns = scope.applies_to_connections ?? [];
  if (conns.length > 0) {
    const found = await db
      .select({ id: connection.id })
      .from(connection)
      .where(
        and(
          inArray(connection.id, conns),
          eq(connection.organizationId, tenantId),
          isNull(connection.deletedAt),
        ),
      );
    const ok = new Set(found.map((r) => r.id));
    conns.forEach((id, i) => {
      if (!ok.has(id)) {
        bad.push({ path: `applies_to_connections.${i}`, message: "no such connection in this organization" });
      }
    });
  }
  if (bad.length > 0) throw invalid(bad);
}

/** A role the caller may evaluate as: predefined or the organization's own. */
export async function assertRole(db: Db, tenantId: string, id: string): Promise<void> {
  const [r] = await db
    .select({ id: role.id })
    .from(role)
    .where(and(eq(role.id, id), or(isNull(role.organizationId), eq(role.organizationId, tenantId))));
  if (!r) throw invalid([{ path: "role_id", message: "no such role in this organization" }]);
}
