// The user table of one tenant: the one writer of it (people management here, the self-service account
// changes and login bookkeeping of workers/auth through the same functions), every statement scoped to the
// tenant by construction and to live (not soft-deleted) users unless it says otherwise. Callers inside a
// transaction pass it, so the role store can reassign users in its own. Every write invalidates the USER cache
// entry it changes (cache.ts).
import { asc, count, eq, ilike, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { organization } from "../../db/schema/tenant/organization.ts";
import { role } from "../../db/schema/tenant/role.ts";
import { user } from "../../db/schema/tenant/user.ts";
import { pageOffset } from "../contract/schemas.ts";
import { ApiError } from "../errors.ts";
import { containsPattern } from "../lib/like.ts";
import type { TenantContext } from "../tenancy/context.ts";
import { scoped } from "../tenancy/scoped.ts";
import { invalidateUser } from "./cache.ts";
import type { UserQuery } from "./schemas.ts";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Exec = Db | Tx;
type UserRow = typeof user.$inferSelect;
export type UserChange = Partial<
  Pick<
    typeof user.$inferInsert,
    | "email"
    | "name"
    | "timezone"
    | "avatarUrl"
    | "bio"
    | "isActive"
    | "roleId"
    | "passwordHash"
    | "passwordChangedAt"
    | "lastLogin"
    | "twoFactorEnabled"
    | "twoFactorSecret"
    | "twoFactorPendingSecret"
    | "twoFactorRecoveryCodes"
  >
>;
export interface NewUser {
  email: string;
  passwordHash: string;
  name: string;
  roleId: string;
  timezone?: string;
  avatarUrl: string | null;
  bio: string | null;
  isActive: boolean;
}

export function isUniqueViolation(err: unknown): boolean {
  let e = err as { code?: string; cause?: unknown } | undefined;
  while (e && !e.code && e.cause) e = e.cause as { code?: string; cause?: unknown };
  return e?.code === "23505";
}

export const duplicateEmail = () =>
  new ApiError("CONFLICT", "A user with this email already exists in the organization", { field: "email" });

export function userStore(ctx: TenantContext, db: Exec = ctx.db) {
  const own = scoped(ctx, user);
  /** Live users of the tenant, and `conds`. */
  const live = (...conds: (SQL | undefined)[]) => own.where(isNull(user.deletedAt), ...conds);
  const withRole = { user, roleName: role.name };
  return {
    async list(q: UserQuery) {
      const pattern = q.search ? containsPattern(q.search) : null;
      const where = live(
        q.active === undefined ? undefined : eq(user.isActive, q.active),
        q.role ? eq(user.roleId, q.role) : undefined,
        pattern ? or(ilike(user.email, pattern), ilike(user.name, pattern)) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select(withRole)
          .from(user)
          .innerJoin(role, eq(role.id, user.roleId))
          .where(where)
          .orderBy(asc(user.createdAt), asc(user.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(user).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** A live user with its role's name, or null. */
    async get(id: string) {
      const [row] = await db
        .select(withRole)
        .from(user)
        .innerJoin(role, eq(role.id, user.roleId))
        .where(live(eq(user.id, id)));
      return row ?? null;
    },

    /** The whole live row (secrets included: for auth checks only, never presented). */
    async row(id: string): Promise<UserRow | null> {
      const [row] = await db
        .select()
        .from(user)
        .where(live(eq(user.id, id)));
      return row ?? null;
    },

    async byEmail(email: string): Promise<UserRow | null> {
      const [row] = await db
        .select()
        .from(user)
        .where(live(eq(user.email, email)));
      return row ?? null;
    },

    async count(): Promise<number> {
      const [n] = await db.select({ n: count() }).from(user).where(live());
      return n?.n ?? 0;
    },

    async change(id: string, set: UserChange): Promise<void> {
      await db
        .update(user)
        .set(set)
        .where(live(eq(user.id, id)));
      invalidateUser(ctx.tenant.id, id);
    },

    /**
     * Creates a user if the plan has a seat and the email is free. The organization row is the lock that
     * keeps two concurrent creations from both fitting the plan.
     */
    async create(values: NewUser): Promise<string> {
      try {
        return await db.transaction(async (tx) => {
          const [org] = await tx
            .select({ maxUsers: organization.maxUsers })
            .from(organization)
            .where(eq(organization.id, ctx.tenant.id))
            .for("update");
          if (!org) throw new ApiError("TENANT_NOT_FOUND", "The organization is missing");
          const inTx = userStore(ctx, tx);
          const n = await inTx.count();
          if (n >= org.maxUsers) {
            throw new ApiError("PLAN_LIMIT", `Your plan allows ${org.maxUsers} users and you have ${n}`, {
              limit: "max_users",
              max: org.maxUsers,
              current: n,
            });
          }
          if (await inTx.emailTaken(values.email)) throw duplicateEmail();
          const [row] = await tx.insert(user).values(own.values(values)).returning({ id: user.id });
          if (!row) throw new Error("user insert returned nothing");
          return row.id;
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateEmail() : err;
      }
    },

    async emailTaken(email: string, exceptId?: string): Promise<boolean> {
      const [dup] = await db
        .select({ id: user.id })
        .from(user)
        .where(live(eq(user.email, email), exceptId ? ne(user.id, exceptId) : undefined));
      return Boolean(dup);
    },

    /**
     * Changes a user in one transaction: `lastAdmin` (the Admin role's id) first proves another active
     * Admin stays, an email change is checked free, then `set` is written; `softDelete` marks it deleted.
     */
    async changeGuarded(
      id: string,
      set: UserChange,
      opts: { lastAdmin?: string | null; email?: string; softDelete?: boolean },
    ): Promise<void> {
      try {
        await db.transaction(async (tx) => {
          const inTx = userStore(ctx, tx);
          if (opts.lastAdmin) await inTx.assertAnotherAdmin(opts.lastAdmin, id);
          if (opts.email && (await inTx.emailTaken(opts.email, id))) throw duplicateEmail();
          if (opts.softDelete)
            await tx
              .update(user)
              .set({ deletedAt: new Date(), isActive: false })
              .where(live(eq(user.id, id)));
          else await inTx.change(id, set);
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateEmail() : err;
      }
      // After the commit: a read between an in-transaction invalidation and the commit cached the old row.
      invalidateUser(ctx.tenant.id, id);
    },

    /** Inside a transaction: another active Admin than `userId` exists, or 409. */
    async assertAnotherAdmin(adminRoleId: string, userId: string): Promise<void> {
      // Every active Admin row is locked in one order, so two demotions racing cannot both pass.
      const admins = await db
        .select({ id: user.id })
        .from(user)
        .where(live(eq(user.roleId, adminRoleId), eq(user.isActive, true)))
        .orderBy(asc(user.id))
        .for("update");
      if (!admins.some((a) => a.id !== userId)) {
        throw new ApiError("INVALID_STATE", "This is the last active Admin of the organization", {
          reason: "last_admin",
        });
      }
    },

    /** Inside a transaction: whether a live user holds the role (the rows are locked). */
    async holdsRole(roleId: string): Promise<boolean> {
      const rows = await db
        .select({ id: user.id })
        .from(user)
        .where(live(eq(user.roleId, roleId)))
        .limit(1)
        .for("update");
      return rows.length > 0;
    },

    /** Every user of the tenant (soft-deleted included) on role `from` moves to `to`. */
    async moveRole(from: string, to: string): Promise<void> {
      await db
        .update(user)
        .set({ roleId: to })
        .where(own.where(eq(user.roleId, from)));
      invalidateUser(ctx.tenant.id);
    },

    /**
     * Uses up a recovery code in the statement that checks it: two logins racing with one code cannot both
     * win. The codes left, or null when the code is not one of the user's.
     */
    async useRecoveryCode(id: string, hash: string): Promise<number | null> {
      const used = await db
        .update(user)
        .set({ twoFactorRecoveryCodes: sql`${user.twoFactorRecoveryCodes} - ${hash}::text` })
        .where(live(eq(user.id, id), sql`${user.twoFactorRecoveryCodes} ? ${hash}::text`))
        .returning({ left: sql<number>`jsonb_array_length(${user.twoFactorRecoveryCodes})` });
      return used[0]?.left ?? null;
    },
  };
}
export type UserWithRole = NonNullable<Awaited<ReturnType<ReturnType<typeof userStore>["get"]>>>;
