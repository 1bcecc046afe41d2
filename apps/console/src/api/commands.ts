// The organization's command log (GET /api/commands): every command typed in a session, with its
// decision, risk, output and exit code; searchable by text, user, status, risk and time.
import { api, ok, type Page, type Schemas } from "./http.ts";

export const COMMAND_STATUSES = ["executed", "blocked", "error", "timeout"] as const;
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;

export type CommandEntry = Schemas["Command"];

export interface CommandFilter {
  q?: string;
  userId?: string;
  status?: (typeof COMMAND_STATUSES)[number];
  riskLevel?: (typeof RISK_LEVELS)[number];
  /** ISO date-times, inclusive. */
  from?: string;
  to?: string;
}

export function listCommands(f: CommandFilter, page = 1, pageSize = 50): Promise<Page<CommandEntry>> {
  const query = {
    page,
    page_size: pageSize,
    q: f.q || undefined,
    user_id: f.userId || undefined,
    status: f.status,
    risk_level: f.riskLevel,
    from: f.from,
    to: f.to,
  };
  return ok(api.GET("/api/commands", { params: { query } }));
}
