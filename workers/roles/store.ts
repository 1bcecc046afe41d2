// The role table as one tenant sees it — the predefined roles (organization_id null) and its own — and the
// writes of its custom roles, which are always its own by construction. Deleting a role moves the
// soft-deleted users still pointing at it to Observer, through the users store, in the same transaction.
import { and, asc, count, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { role } from "../../db/schema/tenant/role.ts";
import { pageOffset } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";
import { userStore } from "../users/store.ts";
import type { RoleCreate, RoleQuery, RoleUpdate } from "./schemas.ts";

function isUniqueViolation(err: unknown): boolean {
  let e = err as { code?: string; cause?: unknown } | undefined;
  while (e && !e.code && e.cause) e = e.cause as { code?: string; cause?: unknown };
  return e?.code === "23505";
}

export const nameTaken = (name: string) =>
  new ApiError("CONFLICT", `A role named "${name}" already exists`, { field: "name" });

export function roleStore(ctx: TenantContext) {
  const own = scoped(ctx, role);
  /** The predefined roles and the tenant's own, and `conds`. */
  const seen = (...conds: (SQL | undefined)[]) =>
    and(or(isNull(role.organizationId), own.where()), ...conds) as SQL;
  const columns = {
    role,
    // Spelled out: inside a subquery drizzle would print role.id unqualified, i.e. as the user's id.
    userCount: sql<number>`(select count(*)::int from "user" u where u.role_id = "role"."id"
      and u.organization_id = ${ctx.tenant.id} and u.deleted_at is null)`,
  };
  return {
    async list(q: RoleQuery) {
      const [rows, [total]] = await Promise.all([
        ctx.db
          .select(columns)
          .from(role)
          .where(seen())
          .orderBy(desc(role.isSystem), asc(role.name), asc(role.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        ctx.db.select({ n: count() }).from(role).where(seen()),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async find(id: string) {
      const [row] = await ctx.db
        .select(columns)
        .from(role)
        .where(seen(eq(role.id, id)));
      return row ?? null;
    },

    /** Whether a predefined role or another of the tenant's has this name (any case). */
    async nameInUse(name: string, exceptId?: string) {
      const [taken] = await ctx.db
        .select({ id: role.id })
        .from(role)
        .where(seen(sql`lower(${role.name}) = lower(${name})`, exceptId ? ne(role.id, exceptId) : undefined));
      return Boolean(taken);
    },

    async insert(body: RoleCreate): Promise<string> {
      const [row] = await ctx.db
        .insert(role)
        .values(
          own.values({
            name: body.name,
            description: body.description ?? "",
            permissions: body.permissions,
            color: body.color,
            isSystem: false,
          }),
        )
        .returning({ id: role.id })
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? nameTaken(body.name) : err;
        });
      if (!row) throw new Error("role insert returned nothing");
      return row.id;
    },

    async update(id: string, body: RoleUpdate) {
      await ctx.db
        .update(role)
        .set({
          name: body.name,
          description: body.description,
          permissions: body.permissions,
          color: body.color,
        })
        .where(own.where(eq(role.id, id)))
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? nameTaken(body.name ?? "") : err;
        });
    },

    /** Deletes a custom role nobody live holds; 409 if someone does (checked under lock). */
    async remove(id: string, name: string) {
      await ctx.db.transaction(async (tx) => {
        const users = userStore(ctx, tx);
        if (await users.holdsRole(id))
          throw new ApiError("CONFLICT", `The role ${name} is in use; reassign its users first`);
        const [observer] = await tx
          .select({ id: role.id })
          .from(role)
          .where(and(isNull(role.organizationId), eq(role.name, "Observer")));
        // Soft-deleted users still reference their last role; they keep the least privileged one instead.
        if (observer) await users.moveRole(id, observer.id);
        await tx.delete(role).where(own.where(eq(role.id, id)));
      });
    },
  };
}
export type RoleRow = NonNullable<Awaited<ReturnType<ReturnType<typeof roleStore>["find"]>>>;
