// auth.api_tokens (control plane): the one writer of API tokens. A token belongs to one principal — a
// tenant user under its tenant, or a super admin under none — and every statement here is filtered by that
// owner, so nobody lists or revokes another's token. Only the token's hash is stored.
import { and, count, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { apiTokens } from "../../db/schema/control/auth.ts";
import { type PageQuery, pageOffset } from "../contract/schemas.ts";

export interface TokenOwner {
  kind: "user" | "super_admin";
  id: string;
  /** The tenant of a tenant user; null for a super admin. */
  tenantId: string | null;
}

export interface NewToken {
  name: string;
  prefix: string;
  tokenHash: string;
  permissions: string[];
  expiresAt: Date | null;
}

const shown = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  permissions: apiTokens.permissions,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
  createdAt: apiTokens.createdAt,
};

function ownedBy(o: TokenOwner, ...conds: (SQL | undefined)[]): SQL {
  const tenant = o.tenantId === null ? isNull(apiTokens.tenantId) : eq(apiTokens.tenantId, o.tenantId);
  return and(eq(apiTokens.userId, o.id), tenant, ...conds) as SQL;
}

export function tokenStore(control: Db) {
  return {
    async list(o: TokenOwner, q: PageQuery) {
      const [rows, [total]] = await Promise.all([
        control
          .select(shown)
          .from(apiTokens)
          .where(ownedBy(o))
          .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        control.select({ n: count() }).from(apiTokens).where(ownedBy(o)),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async create(o: TokenOwner, t: NewToken) {
      const [row] = await control
        .insert(apiTokens)
        .values({
          principalType: o.kind === "user" ? "tenant_user" : "super_admin",
          userId: o.id,
          tenantId: o.tenantId,
          ...t,
        })
        .returning(shown);
      if (!row) throw new Error("token insert returned nothing");
      return row;
    },

    /** Revokes one live token of the owner; false when there is none. */
    async revoke(o: TokenOwner, id: string): Promise<boolean> {
      const rows = await control
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(ownedBy(o, eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length > 0;
    },

    /** Revokes every live token of a tenant user (deletion); how many. */
    async revokeAll(o: TokenOwner): Promise<number> {
      const rows = await control
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(ownedBy(o, isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length;
    },
  };
}
export type TokenRow = Awaited<ReturnType<ReturnType<typeof tokenStore>["create"]>>;
