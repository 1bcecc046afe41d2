// SSH keys (the seed's SSH_KEY): import an OpenSSH or PEM private key or generate an ed25519 one, list,
// read, delete. The private key and its passphrase are encrypted with the tenant's data key and never
// leave; a key in use by a live connection cannot be deleted. For a tenant context (request, object, job).

import { recordAudit } from "../audit/audit.ts";
import { connectionStore } from "../connections/store.ts";
import { iso, isoOrNull, pageOf } from "../contract/schemas.ts";
import { keygenLine, type ParsedSshKey, SshKeyError, type SshKeyType } from "../crypto/ssh-keys.ts";
import { ApiError } from "../errors.ts";
import { encryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { SshKey, SshKeyQuery } from "./schemas.ts";
import { type SshKeyRow, sshKeyStore } from "./store.ts";

export function presentSshKey(r: SshKeyRow): SshKey {
  // The comment is the public key line's third field onwards; `keygen` is what `ssh-keygen -lf` prints.
  const comment = r.publicKey.split(" ").slice(2).join(" ");
  return {
    id: r.id,
    name: r.name,
    fingerprint: r.fingerprint,
    public_key: r.publicKey,
    key_type: r.keyType,
    bits: r.bits,
    comment,
    keygen: keygenLine({ bits: r.bits, fingerprint: r.fingerprint, comment, type: r.keyType as SshKeyType }),
    has_passphrase: r.hasPassphrase,
    user_id: r.userId,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    last_used: isoOrNull(r.lastUsed),
  };
}

async function mustFind(ctx: TenantContext, id: string): Promise<SshKeyRow> {
  const row = await sshKeyStore(ctx).find(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such SSH key");
  return row;
}

export async function listSshKeys(ctx: TenantContext, q: SshKeyQuery) {
  const { rows, total } = await sshKeyStore(ctx).list(q);
  return pageOf(q, rows.map(presentSshKey), total);
}

export async function getSshKey(ctx: TenantContext, id: string): Promise<SshKey> {
  return presentSshKey(await mustFind(ctx, id));
}

/** Parses key text (import or generation); an unusable key is a 400 naming private_key. */
export async function parseKey(work: () => Promise<ParsedSshKey>): Promise<ParsedSshKey> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SshKeyError) throw new ApiError(err.code, err.message, { field: "private_key" });
    throw err;
  }
}

export async function storeSshKey(
  ctx: TenantContext,
  name: string,
  parsed: ParsedSshKey,
  passphrase: string | null,
  how: "imported" | "generated",
): Promise<SshKey> {
  if (ctx.actor.kind !== "user") throw new ApiError("FORBIDDEN", "Only a tenant user stores SSH keys");
  const store = sshKeyStore(ctx);
  const same = await store.withFingerprint(parsed.fingerprint);
  if (same) {
    throw new ApiError("CONFLICT", `This key is already stored as "${same.name}"`, { ssh_key_id: same.id });
  }
  const id = await store.insert({
    name,
    fingerprint: parsed.fingerprint,
    publicKey: parsed.publicKey,
    privateKeyEncrypted: await encryptForTenant(ctx.env, ctx.tenant, parsed.privateKey),
    // A re-encoded key is stored unencrypted (protected by the tenant key): no passphrase to keep then.
    passphraseEncrypted:
      parsed.encrypted && passphrase ? await encryptForTenant(ctx.env, ctx.tenant, passphrase) : null,
    keyType: parsed.type,
    bits: parsed.bits,
    userId: ctx.actor.id,
  });
  const created = await mustFind(ctx, id);
  await recordAudit(ctx, {
    type: "ssh_key.created",
    action: how === "imported" ? "import" : "generate",
    description: `${how === "imported" ? "Imported" : "Generated"} SSH key ${name} (${parsed.type} ${parsed.bits}, ${parsed.fingerprint})`,
    metadata: { ssh_key_id: id, fingerprint: parsed.fingerprint, key_type: parsed.type, bits: parsed.bits },
  });
  return presentSshKey(created);
}

export async function deleteSshKey(
  ctx: TenantContext,
  id: string,
  authorize: (ownerId: string) => Promise<void>,
): Promise<void> {
  const row = await mustFind(ctx, id);
  await authorize(row.userId);
  const users = await connectionStore(ctx).usingKey(id);
  if (users.length > 0) {
    throw new ApiError(
      "CONFLICT",
      `This key is used by ${users.length} connection(s); change or delete them first`,
      { connection_ids: users },
    );
  }
  await sshKeyStore(ctx).softDelete(id);
  await recordAudit(ctx, {
    type: "ssh_key.deleted",
    action: "delete",
    description: `Deleted SSH key ${row.name} (${row.fingerprint})`,
    metadata: { ssh_key_id: id, fingerprint: row.fingerprint, owner: row.userId },
  });
}
