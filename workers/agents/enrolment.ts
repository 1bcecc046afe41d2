// How an agent joins and proves itself, before any tenant is known: enrolment trades a one-time token
// (which names the tenant) for an agent id, registering the agent's Ed25519 public key; the link upgrade
// is accepted only with a fresh signature by that key. The wire format is the agent's
// (workers/protocol/agent-auth.ts) and does not change with the API's casing.
import { decodeBase64 } from "@nostromo/crypto";
import {
  agentLinkSigningBytes,
  type EnrollRequest,
  isAgentLinkTimestampFresh,
  readAgentLinkHeaders,
} from "@nostromo/protocol";
import type { Db } from "../../db/client.ts";
import { hashToken } from "../auth/tokens.ts";
import { ApiError } from "../errors.ts";
import { findTenant, isUuid, type TenantRecord } from "../tenancy/tenant-record.ts";
import { TOKEN_PREFIX } from "./service.ts";
import { enrolmentStore } from "./store.ts";

/** Per-tenant bound on active agents: what one tenant's agents can cost the edge is this many times the
 * per-agent bound of the AgentLink (workers/agent-link/limits.ts). */
export const MAX_ACTIVE_AGENTS_PER_TENANT = 500;

function invalidToken(): ApiError {
  return new ApiError("ENROLLMENT_TOKEN_INVALID", "The enrolment token is unknown, already used or expired");
}

export async function enrollAgent(
  control: Db,
  body: EnrollRequest,
): Promise<{ agentId: string; tenant: TenantRecord }> {
  if (!body.token.startsWith(TOKEN_PREFIX)) throw invalidToken();
  const store = enrolmentStore(control);
  const hash = await hashToken(body.token);
  // Checked before the token is claimed, so a refused enrolment does not spend it.
  const pendingTenant = await store.tenantOfToken(hash);
  if (pendingTenant && (await store.activeAgents(pendingTenant)) >= MAX_ACTIVE_AGENTS_PER_TENANT) {
    throw new ApiError(
      "PLAN_LIMIT",
      `This organization already has ${MAX_ACTIVE_AGENTS_PER_TENANT} active agents; revoke one first`,
    );
  }
  const claimed = await store.claim(hash);
  if (!claimed) throw invalidToken();
  const tenant = await findTenant(control, claimed.tenantId);
  if (!tenant || tenant.status !== "active") throw invalidToken();
  const agentId = await store.insertAgent({
    tenantId: tenant.id,
    name: body.name ?? claimed.name ?? body.hostname,
    publicKey: body.publicKey,
    hostname: body.hostname,
    os: body.os,
    version: body.version,
  });
  await store.tokenUsedBy(claimed.id, agentId);
  return { agentId, tenant };
}

async function verifySignature(
  publicKeyB64: string,
  signatureB64u: string,
  data: Uint8Array,
): Promise<boolean> {
  const pub = decodeBase64(publicKeyB64);
  const sig = decodeBase64(signatureB64u);
  if (!pub || pub.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, data);
  } catch {
    return false;
  }
}

/** The signed link headers checked against the agent's key: who the verified agent is, or 401/403. */
export async function verifyAgentLink(
  control: Db,
  header: (name: string) => string | undefined,
): Promise<{ agentId: string; tenantId: string; nonce: string }> {
  const h = readAgentLinkHeaders(header);
  if (!h.ok) throw new ApiError("UNAUTHORIZED", `Agent authentication: ${h.error}`);
  const { agentId, timestamp, nonce, signature } = h.msg;
  const refused = new ApiError("UNAUTHORIZED", "Unknown, revoked or unverifiable agent");
  if (!isUuid(agentId)) throw refused;
  const agent = await enrolmentStore(control).credential(agentId);
  if (!agent || agent.status !== "active") throw refused;
  if (!isAgentLinkTimestampFresh(timestamp, Date.now())) {
    throw new ApiError("UNAUTHORIZED", "Agent clock skew too large or stale signature");
  }
  const signed = agentLinkSigningBytes(agentId, timestamp, nonce);
  if (!(await verifySignature(agent.publicKey, signature, signed))) throw refused;
  const tenant = await findTenant(control, agent.tenantId);
  if (!tenant) throw refused;
  if (tenant.status === "suspended") throw new ApiError("TENANT_SUSPENDED", "This tenant is suspended");
  return { agentId, tenantId: agent.tenantId, nonce };
}
