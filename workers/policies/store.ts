// Every statement on policy and blocked_command rows (their one writer), scoped to one tenant by
// construction, plus the existence checks a policy's scope needs (roles, connections). Every change of a
// policy or of one of its rules bumps policy.version in the same transaction: the version is the compiled
// set's cache key (compiled.ts). Rules keep their creation order, which is the engine's evaluation order.
import { and, asc, count, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import { blockedCommand, policy } from "../../db/schema/tenant/policy.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { pageOffset } from "../contract/schemas.ts";
import { type Scoped, scoped } from "../tenancy/scoped.ts";
import type { PolicyQuery } from "./schemas.ts";

export type PolicyRow = typeof policy.$inferSelect;
export type RuleRow = typeof blockedCommand.$inferSelect;
export type NewPolicy = Omit<typeof policy.$inferInsert, "organizationId">;
export type NewRule = Omit<typeof blockedCommand.$inferInsert, "organizationId" | "policyId">;
export type PolicyChange = Partial<Omit<NewPolicy, "createdByUserId">>;
export type RuleChange = Partial<NewRule>;

/** What a policy store needs: a database and the tenant it acts for (a request's or a room's). */
export interface PolicyScope {
  db: Db;
  tenant: { id: string };
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Bumps the version of a policy of this tenant; false when there is none. */
async function bump(tx: Tx, own: Scoped, id: string): Promise<boolean> {
  const rows = await tx
    .update(policy)
    .set({ version: sql`${policy.version} + 1`, updatedAt: new Date() })
    .where(own.where(eq(policy.id, id)))
    .returning({ id: policy.id });
  return rows.length > 0;
}

export function policyStore(ctx: PolicyScope) {
  const db = ctx.db;
  const own = scoped(ctx, policy);
  const rules = scoped(ctx, blockedCommand);
  const conns = scoped(ctx, connection);
  return {
    async list(q: PolicyQuery) {
      const where = own.where(q.is_active ? eq(policy.isActive, q.is_active === "true") : undefined);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(policy)
          .where(where)
          .orderBy(asc(policy.createdAt), asc(policy.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(policy).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** The active policies, in evaluation order (the engine's input). */
    active() {
      return db
        .select()
        .from(policy)
        .where(own.where(eq(policy.isActive, true)))
        .orderBy(asc(policy.createdAt), asc(policy.id));
    },

    /** A digest of every policy's id and version: changes when any policy or rule changes. */
    async stamp(): Promise<string> {
      const [row] = await db
        .select({
          stamp: sql<string>`count(*)::text || ':' || coalesce(md5(string_agg(${policy.id}::text || '@' || ${policy.version}::text, ',' order by ${policy.id})), '')`,
        })
        .from(policy)
        .where(own.where());
      return row?.stamp ?? "0:";
    },

    async find(id: string): Promise<PolicyRow | undefined> {
      const [p] = await db
        .select()
        .from(policy)
        .where(own.where(eq(policy.id, id)));
      return p;
    },

    /** The rules of these policies, grouped by policy, in the order the engine evaluates them. */
    async rulesOf(policyIds: string[]): Promise<Map<string, RuleRow[]>> {
      const byPolicy = new Map<string, RuleRow[]>(policyIds.map((id) => [id, []]));
      if (policyIds.length === 0) return byPolicy;
      const rows = await db
        .select()
        .from(blockedCommand)
        .where(rules.where(inArray(blockedCommand.policyId, policyIds)))
        .orderBy(asc(blockedCommand.createdAt), asc(blockedCommand.id));
      for (const r of rows) byPolicy.get(r.policyId)?.push(r);
      return byPolicy;
    },

    async rule(policyId: string, ruleId: string): Promise<RuleRow | undefined> {
      const [r] = await db
        .select()
        .from(blockedCommand)
        .where(rules.where(eq(blockedCommand.id, ruleId), eq(blockedCommand.policyId, policyId)));
      return r;
    },

    /** A policy with its first rules: all or nothing. Answers its id. */
    create(values: NewPolicy, firstRules: NewRule[]): Promise<string> {
      return db.transaction(async (tx) => {
        const [p] = await tx.insert(policy).values(own.values(values)).returning({ id: policy.id });
        if (!p) throw new Error("policy insert returned nothing");
        if (firstRules.length > 0) {
          await tx
            .insert(blockedCommand)
            .values(firstRules.map((r) => rules.values({ ...r, policyId: p.id })));
        }
        return p.id;
      });
    },

    async update(id: string, change: PolicyChange): Promise<void> {
      await db
        .update(policy)
        .set({ ...change, version: sql`${policy.version} + 1` })
        .where(own.where(eq(policy.id, id)));
    },

    /** Deletes the policy; its rules go with it (ON DELETE CASCADE). */
    async remove(id: string): Promise<void> {
      await db.delete(policy).where(own.where(eq(policy.id, id)));
    },

    /** Adds a rule and bumps its policy; undefined when there is no such policy. */
    addRule(policyId: string, values: NewRule): Promise<RuleRow | undefined> {
      return db.transaction(async (tx) => {
        if (!(await bump(tx, own, policyId))) return undefined;
        const [r] = await tx
          .insert(blockedCommand)
          .values(rules.values({ ...values, policyId }))
          .returning();
        return r;
      });
    },

    updateRule(policyId: string, ruleId: string, change: RuleChange): Promise<RuleRow | undefined> {
      return db.transaction(async (tx) => {
        const [r] = await tx
          .update(blockedCommand)
          .set({ ...change, updatedAt: new Date() })
          .where(rules.where(eq(blockedCommand.id, ruleId), eq(blockedCommand.policyId, policyId)))
          .returning();
        await bump(tx, own, policyId);
        return r;
      });
    },

    async deleteRule(policyId: string, ruleId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .delete(blockedCommand)
          .where(rules.where(eq(blockedCommand.id, ruleId), eq(blockedCommand.policyId, policyId)));
        await bump(tx, own, policyId);
      });
    },

    /**
     * Which of these role ids a policy may name: the predefined roles (no organization) and the tenant's
     * own. A where scoped() cannot build, since predefined roles belong to no tenant.
     */
    async knownRoles(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const found = await db
        .select({ id: role.id })
        .from(role)
        .where(
          and(inArray(role.id, ids), or(isNull(role.organizationId), eq(role.organizationId, ctx.tenant.id))),
        );
      return new Set(found.map((r) => r.id));
    },

    /** Which of these connection ids are the tenant's live (not deleted) connections. */
    async knownConnections(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const found = await db
        .select({ id: connection.id })
        .from(connection)
        .where(conns.where(inArray(connection.id, ids), isNull(connection.deletedAt)));
      return new Set(found.map((r) => r.id));
    },
  };
}
