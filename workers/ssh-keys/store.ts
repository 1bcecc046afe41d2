// The ssh_key table's statements, scoped to one tenant by construction. Private keys and passphrases are
// read (still encrypted) only by `secrets`, for the services that hand them to an agent or check them.
import { asc, count, eq, ilike, isNull, sql } from "drizzle-orm";
import { sshKey } from "../../db/schema/tenant/ssh-key.ts";
import type { StoreContext } from "../connections/store.ts";
import { pageOffset } from "../contract/schemas.ts";
import { containsPattern } from "../lib/like.ts";
import { scoped } from "../tenancy/scoped.ts";
import type { SshKeyQuery } from "./schemas.ts";

const publicColumns = {
  id: sshKey.id,
  name: sshKey.name,
  fingerprint: sshKey.fingerprint,
  publicKey: sshKey.publicKey,
  keyType: sshKey.keyType,
  bits: sshKey.bits,
  hasPassphrase: sql<boolean>`${sshKey.passphraseEncrypted} is not null`,
  userId: sshKey.userId,
  createdAt: sshKey.createdAt,
  updatedAt: sshKey.updatedAt,
  lastUsed: sshKey.lastUsed,
};

export type SshKeyInsert = Omit<typeof sshKey.$inferInsert, "organizationId" | "id">;

export function sshKeyStore(ctx: StoreContext) {
  const own = scoped(ctx, sshKey);
  const db = ctx.db;
  const live = (id: string) => own.where(eq(sshKey.id, id), isNull(sshKey.deletedAt));

  return {
    async list(q: SshKeyQuery) {
      const where = own.where(
        isNull(sshKey.deletedAt),
        q.user_id ? eq(sshKey.userId, q.user_id) : undefined,
        q.search ? ilike(sshKey.name, containsPattern(q.search)) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select(publicColumns)
          .from(sshKey)
          .where(where)
          .orderBy(asc(sshKey.name), asc(sshKey.id))
          .limit(q.page_size)
          .offset(pageOffset(q)),
        db.select({ n: count() }).from(sshKey).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    async find(id: string) {
      const [row] = await db.select(publicColumns).from(sshKey).where(live(id));
      return row ?? null;
    },

    async exists(id: string): Promise<boolean> {
      const [row] = await db.select({ id: sshKey.id }).from(sshKey).where(live(id));
      return row !== undefined;
    },

    /** A live key with the same fingerprint (the same key stored twice). */
    async withFingerprint(fingerprint: string) {
      const [row] = await db
        .select({ id: sshKey.id, name: sshKey.name })
        .from(sshKey)
        .where(own.where(eq(sshKey.fingerprint, fingerprint), isNull(sshKey.deletedAt)));
      return row ?? null;
    },

    /** The encrypted private key and passphrase of a live key. */
    async secrets(id: string) {
      const [row] = await db
        .select({
          privateKeyEncrypted: sshKey.privateKeyEncrypted,
          passphraseEncrypted: sshKey.passphraseEncrypted,
        })
        .from(sshKey)
        .where(live(id));
      return row ?? null;
    },

    async insert(values: SshKeyInsert): Promise<string> {
      const [row] = await db.insert(sshKey).values(own.values(values)).returning({ id: sshKey.id });
      if (!row) throw new Error("ssh_key insert returned nothing");
      return row.id;
    },

    async softDelete(id: string): Promise<void> {
      await db.update(sshKey).set({ deletedAt: new Date() }).where(live(id));
    },
  };
}

export type SshKeyRow = NonNullable<Awaited<ReturnType<ReturnType<typeof sshKeyStore>["find"]>>>;
