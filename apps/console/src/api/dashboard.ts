// The tenant dashboard's figures, read from the tenant's own lists (GET /api/agents, GET /api/commands):
// how many agents are online and the most recent blocked commands. Connections and live sessions come from
// their own modules. Each figure is its own call, so a role that may read only some of them sees those.
import { request } from "./http.ts";
import { field, pageQuery, str, toPage, type Wire } from "./wire.ts";

export interface AgentCount {
  online: number;
  total: number;
}

/** Agents of the organization (one page of 200 covers any real fleet of a tenant; the total is exact). */
export async function countAgents(): Promise<AgentCount> {
  const page = toPage(await request<unknown>("GET", "/api/agents", { query: pageQuery(1, 200) }), (r) => ({
    online: field(r, "online") === true,
    revoked: str(r, "status") === "revoked",
  }));
  return {
    online: page.items.filter((a) => a.online && !a.revoked).length,
    total: page.items.filter((a) => !a.revoked).length,
  };
}

export interface BlockedCommand {
  id: string;
  command: string;
  sessionPublicId: string;
  reason: string;
  riskLevel: string;
  at: string;
}

export interface BlockedCommands {
  items: BlockedCommand[];
  /** Blocked in the window asked for. */
  total: number;
}

/** Commands the policy blocked since `sinceIso`, newest first (the first `limit`), and how many in all. */
export async function recentBlockedCommands(sinceIso: string, limit = 5): Promise<BlockedCommands> {
  const body = await request<unknown>("GET", "/api/commands", {
    query: { ...pageQuery(1, limit), status: "blocked", from: sinceIso },
  });
  const page = toPage(body, (r: Wire) => ({
    id: str(r, "id"),
    command: str(r, "command"),
    sessionPublicId: str(r, "sessionPublicId"),
    reason: str(r, "blockedReason"),
    riskLevel: str(r, "riskLevel"),
    at: str(r, "executedAt"),
  }));
  return { items: page.items, total: page.total };
}
