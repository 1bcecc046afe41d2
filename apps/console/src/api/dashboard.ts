// The tenant dashboard's figures, read from the tenant's own lists (GET /api/agents, GET /api/commands):
// how many agents are online and the most recent blocked commands. Connections and live sessions come from
// their own modules. Each figure is its own call, so a role that may read only some of them sees those.

import type { CommandEntry } from "./commands.ts";
import { api, ok, type Page } from "./http.ts";

export interface AgentCount {
  online: number;
  total: number;
}

/** Agents of the organization (one page of 200 covers any real fleet of a tenant; the total is exact). */
export async function countAgents(): Promise<AgentCount> {
  const page = await ok(api.GET("/api/agents", { params: { query: { page_size: 200 } } }));
  const live = page.data.filter((a) => a.status !== "revoked");
  return { online: live.filter((a) => a.online).length, total: live.length };
}

/** Commands the policy blocked since `sinceIso`, newest first (the first `limit`), and how many in all. */
export function recentBlockedCommands(sinceIso: string, limit = 5): Promise<Page<CommandEntry>> {
  return ok(
    api.GET("/api/commands", { params: { query: { page_size: limit, status: "blocked", from: sinceIso } } }),
  );
}
