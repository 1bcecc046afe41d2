// The tenant's agents (GET /api/agents, DELETE /api/agents/:id) and one-time enrolment tokens
// (POST /api/agents/enrollment-tokens). The token is in the answer once; the server keeps only its hash.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strOrNull, toPage, type Wire } from "./wire.ts";

export interface Agent {
  id: string;
  name: string;
  status: string;
  hostname: string;
  version: string;
  online: boolean;
  lastSeenAt: string | null;
}

export async function listAgents(): Promise<Page<Agent>> {
  const body = await request<unknown>("GET", "/api/agents", { query: pageQuery(1, 200) });
  return toPage(body, (r: Wire) => ({
    id: str(r, "id"),
    name: str(r, "name"),
    status: str(r, "status"),
    hostname: str(r, "hostname"),
    version: str(r, "version"),
    online: field(r, "online") === true,
    lastSeenAt: strOrNull(r, "lastSeenAt"),
  }));
}

export async function revokeAgent(id: string): Promise<void> {
  await request<unknown>("DELETE", `/api/agents/${encodeURIComponent(id)}`);
}

export interface EnrollmentToken {
  id: string;
  token: string;
  expiresAt: string;
}

export async function createEnrollmentToken(
  name: string,
  expiresInMinutes: number,
): Promise<EnrollmentToken> {
  const body: Wire = { expires_in_minutes: expiresInMinutes };
  if (name) body.name = name;
  const r = await request<Wire>("POST", "/api/agents/enrollment-tokens", { body });
  return { id: str(r, "id"), token: str(r, "token"), expiresAt: str(r, "expiresAt") };
}
