// POST /api/connections/:id/test. Until agents carry sessions, a test can only check what is stored: the
// connection is active, its credential decrypts (never shown), its SSH key is live, and whether an active
// agent is assigned and online. A broken configuration is 409 INVALID_STATE; no online agent is 409 AGENT_OFFLINE; otherwise
// 200 with reached: false — the server itself is not dialled here. All carry the checks and are audited.
import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { agents } from "../../../db/schema/control/agents.ts";
import { agentHealth } from "../../../db/schema/control/monitoring.ts";
import { connection } from "../../../db/schema/tenant/connection.ts";
import { sshKey } from "../../../db/schema/tenant/ssh-key.ts";
import { audit } from "../../audit/audit.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { decryptForTenant } from "../../tenancy/connection-manager.ts";
import type { TenantScope } from "../../tenancy/scope.ts";

/** An agent whose link reported within this window is online (as /api/agents counts it). */
const ONLINE_WINDOW_MS = 60_000;

interface Check {
  name: "status" | "credentials" | "agent";
  ok: boolean;
  message: string;
}

async function decrypts(c: Context<AppEnv>, scope: TenantScope, ciphertext: string | null): Promise<boolean> {
  if (ciphertext === null) return false;
  try {
    await decryptForTenant(c.env, scope.tenant, ciphertext);
    return true;
  } catch {
    return false;
  }
}

export async function testConnection(c: Context<AppEnv>, scope: TenantScope, id: string): Promise<Response> {
  const { tenant, db } = scope;
  const [row] = await db
    .select()
    .from(connection)
    .where(
      and(eq(connection.id, id), eq(connection.organizationId, tenant.id), isNull(connection.deletedAt)),
    );
  if (!row) throw new ApiError("NOT_FOUND", "No such connection");

  const checks: Check[] = [];
  checks.push({
    name: "status",
    ok: row.status === "active",
    message: row.status === "active" ? "the connection is active" : `the connection is ${row.status}`,
  });

  let credentials: boolean;
  let what: string;
  if (row.authMethod === "ssh_key") {
    const [key] = row.sshKeyId
      ? await db
          .select({ privateKeyEncrypted: sshKey.privateKeyEncrypted })
          .from(sshKey)
          .where(
            and(eq(sshKey.id, row.sshKeyId), eq(sshKey.organizationId, tenant.id), isNull(sshKey.deletedAt)),
          )
      : [];
    credentials = key !== undefined && (await decrypts(c, scope, key.privateKeyEncrypted));
    what = "SSH key";
  } else {
    credentials = await decrypts(
      c,
      scope,
      row.authMethod === "password" ? row.passwordEncrypted : row.certificate,
    );
    what = row.authMethod;
  }
  checks.push({
    name: "credentials",
    ok: credentials,
    message: credentials ? `the stored ${what} is readable` : `the stored ${what} is missing or unreadable`,
  });

  const [agent] = row.agentId
    ? await c.var.db
        .select({
          name: agents.name,
          status: agents.status,
          connected: agentHealth.connected,
          heartbeat: agentHealth.lastHeartbeatAt,
        })
        .from(agents)
        .leftJoin(agentHealth, eq(agentHealth.agentId, agents.id))
        .where(and(eq(agents.id, row.agentId), eq(agents.tenantId, tenant.id)))
    : [];
  const online =
    agent?.status === "active" &&
    agent.connected === true &&
    agent.heartbeat !== null &&
    Date.now() - agent.heartbeat.getTime() < ONLINE_WINDOW_MS;
  checks.push({
    name: "agent",
    ok: online,
    message: !row.agentId
      ? "no agent is assigned to reach this server"
      : agent?.status !== "active"
        ? "the assigned agent is unknown or revoked"
        : online
          ? `agent ${agent.name} is online`
          : `agent ${agent.name} is not connected`,
  });

  // The agent is not configuration: without a connected one the answer is AGENT_OFFLINE either way.
  const configOk = checks.every((k) => k.ok || k.name === "agent");
  const target = `${row.type}://${row.hostname}:${row.port}`;
  await audit(c, {
    type: "connection.tested",
    action: "test",
    description: !configOk
      ? `Tested ${row.name}: configuration invalid (${checks
          .filter((k) => !k.ok && k.name !== "agent")
          .map((k) => k.message)
          .join("; ")})`
      : `Tested ${row.name}: configuration valid, ${checks[2]?.message}; ${target} not contacted`,
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
      `The configuration is valid, but no agent is connected to reach ${target} (${checks[2]?.message}); the server was not contacted`,
      { checks },
    );
  }
  // Dialling the server through the agent belongs to the session path; until then say what was checked.
  return c.json({
    reached: false,
    message: `The configuration is valid and the agent is online; ${target} itself was not contacted`,
    checks,
  });
}
