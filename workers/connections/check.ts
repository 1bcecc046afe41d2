// POST /api/connections/:id/test: what is stored — the connection is active, its credential decrypts (never
// shown), its SSH key is live, an active agent is assigned and online — then the server itself, through the
// agent (`probe.request`: TCP to host:port, and what the server says first, judged per connection type:
// an SSH banner, telnet negotiation, an RFB version; RDP servers say nothing first). A broken configuration
// is 409 INVALID_STATE; no online agent is 409 AGENT_OFFLINE; a server the agent cannot reach is 502
// TARGET_UNREACHABLE; otherwise 200 with reached: true. All carry the checks and are audited.

import { decodeBase64 } from "@nostromo/crypto";
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

type ConnectionRow = NonNullable<Awaited<ReturnType<ReturnType<typeof connectionStore>["findFull"]>>>;

/** Whether the stored secret decrypts; telnet stores none (the user logs in at the server's prompt). */
async function credentialsCheck(ctx: TenantContext, row: ConnectionRow): Promise<ConnectionCheck> {
  if (row.type === "telnet")
    return { name: "credentials", ok: true, message: "none stored: the user logs in at the server's prompt" };
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
  return {
    name: "credentials",
    ok: credentials,
    message: credentials ? `the stored ${what} is readable` : `the stored ${what} is missing or unreadable`,
  };
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

  checks.push(await credentialsCheck(ctx, row));

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
  if (!configOk || !online)
    await recordAudit(ctx, {
      type: "connection.tested",
      action: "test",
      description: !configOk
        ? `Tested ${row.name}: configuration invalid (${checks
            .filter((k) => !k.ok && k.name !== "agent")
            .map((k) => k.message)
            .join("; ")})`
        : `Tested ${row.name}: configuration valid, ${agentCheck.message}; ${target} not contacted`,
      status: "failure",
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
  const server = await probeServer(ctx, row);
  checks.push(server);
  await recordAudit(ctx, {
    type: "connection.tested",
    action: "test",
    description: `Tested ${row.name} through agent ${agent?.name}: ${server.message}`,
    status: server.ok ? "success" : "failure",
    connectionId: id,
    metadata: { checks },
  });
  if (!server.ok) throw new ApiError("TARGET_UNREACHABLE", server.message, { checks });
  return { reached: true, message: server.message, checks };
}

const GREETINGS: Record<string, { test: (g: Uint8Array) => boolean; what: string }> = {
  ssh: { test: (g) => new TextDecoder().decode(g.subarray(0, 4)) === "SSH-", what: "an SSH banner" },
  telnet: { test: (g) => g[0] === 255, what: "telnet option negotiation" },
  vnc: { test: (g) => new TextDecoder().decode(g.subarray(0, 4)) === "RFB ", what: "an RFB (VNC) version" },
};

/** The server through the agent: reached, and (for protocols whose server speaks first) the right one. */
async function probeServer(
  ctx: TenantContext,
  row: { agentId: string | null; hostname: string; port: number; type: string },
): Promise<ConnectionCheck> {
  const link = ctx.env.AGENT_LINK.get(ctx.env.AGENT_LINK.idFromName(row.agentId ?? ""));
  const target = `${row.hostname}:${row.port}`;
  const r = await link.probe({
    t: "probe.request",
    requestId: `probe_${crypto.randomUUID()}`,
    host: row.hostname,
    port: row.port,
    timeoutMs: 5000,
  });
  if (!r) return { name: "server", ok: false, message: `the agent did not answer the test of ${target}` };
  if (!r.ok) return { name: "server", ok: false, message: `the agent cannot reach ${r.message}` };
  const greeting = r.greeting ? (decodeBase64(r.greeting) ?? new Uint8Array()) : new Uint8Array();
  const expected = GREETINGS[row.type];
  if (!expected) return { name: "server", ok: true, message: `${r.message} (${r.durationMs} ms)` };
  if (expected.test(greeting))
    return {
      name: "server",
      ok: true,
      message: `${target} answered with ${expected.what} (${r.durationMs} ms)`,
    };
  return {
    name: "server",
    ok: false,
    message: `${target} accepted the connection but did not answer with ${expected.what}`,
  };
}
