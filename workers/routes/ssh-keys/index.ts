// /api/ssh-keys: the seed's SSH_KEY. Import an OpenSSH or PEM private key (POST /, with its passphrase) or
// generate an ed25519 key (POST /generate); the public key, its ssh-keygen fingerprint and `keygen` line
// are returned, the private key and passphrase are encrypted with the tenant's data key and never are.
// Reading needs READ_CONNECTION, creating CREATE_CONNECTION; deleting follows DELETE_CONNECTION with its
// "only their own" rule (a Technician deletes only keys they own), and a key in use by a live connection
// cannot be deleted.

import { Permission } from "@nostromo/permissions";
import { and, asc, count, eq, ilike, isNull, type SQL, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../../db/client.ts";
import { connection } from "../../../db/schema/tenant/connection.ts";
import { sshKey } from "../../../db/schema/tenant/ssh-key.ts";
import { audit } from "../../audit/audit.ts";
import { assertMayActOn, currentUser, requirePermission } from "../../auth/guard.ts";
import {
  generateEd25519,
  importPrivateKey,
  keygenLine,
  MAX_KEY_TEXT_LENGTH,
  type ParsedSshKey,
  SshKeyError,
  type SshKeyType,
} from "../../crypto/ssh-keys.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { containsPattern } from "../../lib/like.ts";
import { pageOf, pageOffset } from "../../lib/page.ts";
import { idParam, readJson, readQuery } from "../../lib/validate.ts";
import { encryptForTenant } from "../../tenancy/connection-manager.ts";
import type { TenantScope } from "../../tenancy/scope.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !CONTROL.test(v), "must not contain control characters");
const comment = z
  .string()
  .trim()
  .max(256)
  .refine((v) => !CONTROL.test(v), "must not contain control characters");

const importBody = z
  .object({
    name,
    private_key: z.string().min(1).max(MAX_KEY_TEXT_LENGTH),
    passphrase: z.string().max(1024).nullable().optional(),
    /** Replaces the comment of an OpenSSH key file; PEM files have none. */
    comment: comment.optional(),
  })
  .strict();

const generateBody = z.object({ name, comment: comment.optional() }).strict();

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  search: z.string().trim().min(1).max(200).optional(),
  user_id: z.uuid().optional(),
});

const publicColumns = {
  id: sshKey.id,
  name: sshKey.name,
  fingerprint: sshKey.fingerprint,
  publicKey: sshKey.publicKey,
  keyType: sshKey.keyType,
  bits: sshKey.bits,
  hasPassphrase: sql<boolean>`${sshKey.passphraseEncrypted} is not null`,
  userId: sshKey.userId,
  organizationId: sshKey.organizationId,
  createdAt: sshKey.createdAt,
  updatedAt: sshKey.updatedAt,
  lastUsed: sshKey.lastUsed,
};

const selectPublic = (db: Db) => db.select(publicColumns).from(sshKey);
type PublicRow = Awaited<ReturnType<typeof selectPublic>>[number];

function present(r: PublicRow) {
  // The comment is the public key line's third field onwards; `keygen` is what `ssh-keygen -lf` prints.
  const keyComment = r.publicKey.split(" ").slice(2).join(" ");
  return {
    id: r.id,
    name: r.name,
    fingerprint: r.fingerprint,
    public_key: r.publicKey,
    key_type: r.keyType,
    bits: r.bits,
    comment: keyComment,
    keygen: keygenLine({
      bits: r.bits,
      fingerprint: r.fingerprint,
      comment: keyComment,
      type: r.keyType as SshKeyType,
    }),
    has_passphrase: r.hasPassphrase,
    user_id: r.userId,
    organization_id: r.organizationId,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    last_used: r.lastUsed,
  };
}

function scopeOf(c: Context<AppEnv>): TenantScope {
  const s = c.var.scope;
  if (!s) throw new ApiError("TENANT_NOT_FOUND", "Name a tenant by subdomain, X-Tenant-ID or ?tenantId=");
  return s;
}

const live = (tenantId: string, id: string) =>
  and(eq(sshKey.id, id), eq(sshKey.organizationId, tenantId), isNull(sshKey.deletedAt));

async function findPublic(db: Db, tenantId: string, id: string): Promise<PublicRow> {
  const [row] = await selectPublic(db).where(live(tenantId, id));
  if (!row) throw new ApiError("NOT_FOUND", "No such SSH key");
  return row;
}

async function store(
  c: Context<AppEnv>,
  keyName: string,
  parsed: ParsedSshKey,
  passphrase: string | null,
  how: "imported" | "generated",
): Promise<Response> {
  const user = currentUser(c);
  const { tenant, db } = scopeOf(c);
  const [same] = await db
    .select({ id: sshKey.id, name: sshKey.name })
    .from(sshKey)
    .where(
      and(
        eq(sshKey.organizationId, tenant.id),
        eq(sshKey.fingerprint, parsed.fingerprint),
        isNull(sshKey.deletedAt),
      ),
    );
  if (same) {
    throw new ApiError("CONFLICT", `This key is already stored as "${same.name}"`, { ssh_key_id: same.id });
  }
  const [row] = await db
    .insert(sshKey)
    .values({
      name: keyName,
      fingerprint: parsed.fingerprint,
      publicKey: parsed.publicKey,
      privateKeyEncrypted: await encryptForTenant(c.env, tenant, parsed.privateKey),
      // A re-encoded key is stored unencrypted (protected by the tenant key): no passphrase to keep then.
      passphraseEncrypted:
        parsed.encrypted && passphrase ? await encryptForTenant(c.env, tenant, passphrase) : null,
      keyType: parsed.type,
      bits: parsed.bits,
      userId: user.id,
      organizationId: tenant.id,
    })
    .returning({ id: sshKey.id });
  const created = await findPublic(db, tenant.id, (row as { id: string }).id);
  await audit(c, {
    type: "ssh_key.created",
    action: how === "imported" ? "import" : "generate",
    description: `${how === "imported" ? "Imported" : "Generated"} SSH key ${keyName} (${parsed.type} ${parsed.bits}, ${parsed.fingerprint})`,
    metadata: {
      ssh_key_id: created.id,
      fingerprint: parsed.fingerprint,
      key_type: parsed.type,
      bits: parsed.bits,
    },
  });
  return c.json(present(created), 201);
}

async function parse<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SshKeyError) throw new ApiError(err.code, err.message, { field: "private_key" });
    throw err;
  }
}

export const sshKeysRoutes = new Hono<AppEnv>()
  .get("/", requirePermission(Permission.READ_CONNECTION), async (c) => {
    const { tenant, db } = scopeOf(c);
    const q = readQuery(c, listQuery);
    const where: SQL[] = [eq(sshKey.organizationId, tenant.id), isNull(sshKey.deletedAt)];
    if (q.user_id) where.push(eq(sshKey.userId, q.user_id));
    if (q.search) where.push(ilike(sshKey.name, containsPattern(q.search)));
    const cond = and(...where);
    const [rows, [total]] = await Promise.all([
      selectPublic(db)
        .where(cond)
        .orderBy(asc(sshKey.name), asc(sshKey.id))
        .limit(q.pageSize)
        .offset(pageOffset(q)),
      db.select({ n: count() }).from(sshKey).where(cond),
    ]);
    return c.json(pageOf(q, rows.map(present), total?.n));
  })

  .get("/:id", requirePermission(Permission.READ_CONNECTION), async (c) => {
    const { tenant, db } = scopeOf(c);
    return c.json(present(await findPublic(db, tenant.id, idParam(c))));
  })

  .post("/", requirePermission(Permission.CREATE_CONNECTION), async (c) => {
    const b = await readJson(c, importBody);
    const parsed = await parse(() => importPrivateKey(b.private_key, b.passphrase ?? null, b.comment));
    return store(c, b.name, parsed, b.passphrase ?? null, "imported");
  })

  .post("/generate", requirePermission(Permission.CREATE_CONNECTION), async (c) => {
    const b = await readJson(c, generateBody);
    // ssh-keygen's habit: the comment names the key, so it can be recognised in authorized_keys.
    const parsed = await parse(() => generateEd25519(b.comment ?? b.name));
    return store(c, b.name, parsed, null, "generated");
  })

  .delete("/:id", requirePermission(Permission.DELETE_CONNECTION), async (c) => {
    const user = currentUser(c);
    const { tenant, db } = scopeOf(c);
    const id = idParam(c);
    const row = await findPublic(db, tenant.id, id);
    await assertMayActOn(c, user, Permission.DELETE_CONNECTION, row.userId);
    const users = await db
      .select({ id: connection.id })
      .from(connection)
      .where(
        and(
          eq(connection.organizationId, tenant.id),
          eq(connection.sshKeyId, id),
          isNull(connection.deletedAt),
        ),
      );
    if (users.length > 0) {
      throw new ApiError(
        "CONFLICT",
        `This key is used by ${users.length} connection(s); change or delete them first`,
        { connection_ids: users.map((u) => u.id) },
      );
    }
    await db.update(sshKey).set({ deletedAt: new Date() }).where(live(tenant.id, id));
    await audit(c, {
      type: "ssh_key.deleted",
      action: "delete",
      description: `Deleted SSH key ${row.name} (${row.fingerprint})`,
      metadata: { ssh_key_id: id, fingerprint: row.fingerprint, owner: row.userId },
    });
    return c.body(null, 204);
  });
