// POST /api/connections/:id/test. Until agents carry sessions, a test can only check what is stored: the
// connection is active, its credential decrypts (never shown), its SSH key is live, and whether an active
// agent is assigned and online. A broken configuration is 409 INVALID_STATE; no online agent is 409
// AGENT_OFFLINE; otherwise 200 with reached: false — the server itself is not dialled here. All carry the
// checks and are audited.

import { isOnline } from "../agents/online.ts";
import { agentStore } from "../agents/store.ts";
import { recordAudit } from "../audit/audit.ts";
import { ApiError } from "../errors.ts";
import { sshKeyStore } from "../ssh-keys/store.ts";
import { decryptForTenant } from "../tenancy/connection-manager.ts";
import type { TenantContext } from "../tenancy/context.ts";
import type { ConnectionCheck } from "./schemas.ts";
import { connectionStore } from "./store.ts";

async function decrypts(ctx: TenantContext, ciphertext: string | null | undefined): Promise<boolean> {
  if (!ciphertext) return false;
  try {
    await decryptForTenant(ctx.env, ctx.tenant, ciphertext);
    return true;
  } catch {
    return false;
  }
}

export async function testConnection(ctx: TenantContext, id: string) {
  const row = await connectionStore(ctx).findFull(id);
  if (!row) throw new ApiError("NOT_FOUND", "No such connection");

  const checks: ConnectionCheck[] = [];
  checks.push({
    name: "status",
    ok: row.status === "active",
    message: row.status === "active" ? "the connection is active" : `the connection is ${row.status}`,
  });

  let credentials: boolean;
  let what: string;
  if (row.authMethod === "ssh_key") {
    const key = row.sshKeyId ? await sshKeyStore(ctx).secrets(row.sshKeyId) : null;
    credentials = await decrypts(ctx, key?.privateKeyEncrypted);
    what = "SSH key";
  } else {
    credentials = await decrypts(
      ctx,
      row.authMethod === "password" ? row.passwordEncrypted : row.certificate,
    );
    what = row.authMethod;
  }
  checks.push({
    name: "credentials",
    ok: credentials,
    message: credentials ? `the stored ${what} is readable` : `the stored ${what} is missing or unreadable`,
  });

  const agent = row.agentId ? await agentStore(ctx).find(row.agentId) : null;
  const online = agent !== null && isOnline(agent, Date.now());
  const agentCheck: ConnectionCheck = {
    name: "agent",
    ok: online,
    message: !row.agentId
      ? "no agent is assigned to reach this server"
      : agent?.status !== "active"
        ? "the assigned agent is unknown or revoked"
        : online
          ? `agent ${agent.name} is online`
          : `agent ${agent.name} is not connected`,
  };
  checks.push(agentCheck);

  // The agent is not configuration: without a connected one the answer is AGENT_OFFLINE either way.
  const configOk = checks.every((k) => k.ok || k.name === "agent");
  const target = `${row.type}://${row.hostname}:${row.port}`;
  await recordAudit(ctx, {
    type: "connection.tested",
    action: "test",
    description: !configOk
      ? `Tested ${row.name}: configuration invalid (${checks
          .filter((k) => !k.ok && k.name !== "agent")
          .map((k) => k.message)
          .join("; ")})`
      : `Tested ${row.name}: configuration valid, ${agentCheck.message}; ${target} not contacted`,
    status: configOk && online ? "warning" : "failure",
    connectionId: id,
    metadata: { checks },
  });
  if (!configOk) {
    throw new ApiError("INVALID_STATE", "The connection's configuration cannot be used as stored", {
      checks,
    });
  }
  if (!online) {
    throw new ApiError(
      "AGENT_OFFLINE",
      `The configuration is valid, but no agent is connected to reach ${target} (${agentCheck.message}); the server was not contacted`,
      { checks },
    );
  }
  // Dialling the server through the agent belongs to the session path; until then say what was checked.
  return {
    reached: false as const,
    message: `The configuration is valid and the agent is online; ${target} itself was not contacted`,
    checks,
  };
}
