// Builds what the agent needs to reach a connection's server: host, port, user, the pinned host key and
// the credential — decrypted from the tenant's store only here, only to be sent to the agent.

import type { SessionTarget } from "@nostromo/protocol";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agents } from "../../db/schema/control/agents.ts";
import { connection } from "../../db/schema/tenant/connection.ts";
import { sshKey } from "../../db/schema/tenant/ssh-key.ts";
import type { Bindings } from "../env.ts";
import { decryptForTenant } from "../tenancy/connection-manager.ts";
import { scoped } from "../tenancy/scoped.ts";
import type { TenantRecord } from "../tenancy/tenant-record.ts";

export class TargetError extends Error {
  constructor(
    readonly code: "CONNECTION_NOT_USABLE" | "NO_AGENT",
    message: string,
  ) {
    super(message);
  }
}

export async function buildTarget(env: Bindings, db: Db, tenant: TenantRecord, connectionId: string) {
  const conns = scoped({ tenant }, connection);
  const keys = scoped({ tenant }, sshKey);
  const [c] = await db
    .select()
    .from(connection)
    .where(conns.where(eq(connection.id, connectionId), isNull(connection.deletedAt)));
  if (!c) throw new TargetError("CONNECTION_NOT_USABLE", "No such connection");
  if (c.type !== "ssh")
    throw new TargetError("CONNECTION_NOT_USABLE", `${c.type} connections cannot be opened yet; only ssh`);
  if (c.status !== "active") throw new TargetError("CONNECTION_NOT_USABLE", `The connection is ${c.status}`);
  if (!c.agentId) throw new TargetError("NO_AGENT", "No agent is assigned to this connection");
  let auth: SessionTarget["auth"];
  if (c.authMethod === "password") {
    if (!c.passwordEncrypted)
      throw new TargetError("CONNECTION_NOT_USABLE", "The connection has no password stored");
    auth = {
      type: "password",
      password: (await decryptForTenant(env, tenant, c.passwordEncrypted)).reveal(),
    };
  } else if (c.authMethod === "ssh_key") {
    if (!c.sshKeyId) throw new TargetError("CONNECTION_NOT_USABLE", "The connection has no SSH key");
    const [k] = await db
      .select()
      .from(sshKey)
      .where(keys.where(eq(sshKey.id, c.sshKeyId), isNull(sshKey.deletedAt)));
    if (!k) throw new TargetError("CONNECTION_NOT_USABLE", "The connection's SSH key was deleted");
    auth = {
      type: "key",
      privateKey: (await decryptForTenant(env, tenant, k.privateKeyEncrypted)).reveal(),
      passphrase: k.passphraseEncrypted
        ? (await decryptForTenant(env, tenant, k.passphraseEncrypted)).reveal()
        : null,
    };
    await db
      .update(sshKey)
      .set({ lastUsed: new Date() })
      .where(keys.where(eq(sshKey.id, k.id)));
  } else {
    throw new TargetError(
      "CONNECTION_NOT_USABLE",
      "Certificate authentication is not supported by the agent yet",
    );
  }
  const target: SessionTarget = {
    host: c.hostname,
    port: c.port,
    username: c.username,
    auth,
    hostKey: c.hostKey ?? null,
  };
  return { target, connection: c, agentId: c.agentId };
}

/** A VNC connection's stored password, decrypted only to be sent to the agent; null when it has none (the
 * server is then reached with security type None). */
export async function vncPassword(
  env: Bindings,
  db: Db,
  tenant: TenantRecord,
  connectionId: string,
): Promise<string | null> {
  const [c] = await db
    .select({ passwordEncrypted: connection.passwordEncrypted })
    .from(connection)
    .where(
      scoped({ tenant }, connection).where(eq(connection.id, connectionId), isNull(connection.deletedAt)),
    );
  if (!c) throw new TargetError("CONNECTION_NOT_USABLE", "No such connection");
  return c.passwordEncrypted ? (await decryptForTenant(env, tenant, c.passwordEncrypted)).reveal() : null;
}

/** A connection may only route through an agent of its own tenant. */
export async function assertAgentOfTenant(control: Db, agentId: string, tenantId: string): Promise<void> {
  const [a] = await control
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId), eq(agents.status, "active")));
  if (!a)
    throw new TargetError("NO_AGENT", "The connection's agent is not an active agent of this organization");
}
