// The organization's command log (GET /api/commands): every command typed in a session, with its
// decision, risk, output and exit code; searchable by text, user, status, risk and time.
import { request } from "./http.ts";
import { field, type Page, pageQuery, str, strOrNull, toPage, type Wire } from "./wire.ts";

export const COMMAND_STATUSES = ["executed", "blocked", "error", "timeout"] as const;
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;

export interface CommandEntry {
  id: string;
  sessionPublicId: string;
  userId: string;
  command: string;
  commandType: string;
  status: string;
  output: string | null;
  outputTruncated: boolean;
  exitCode: number | null;
  errorMessage: string | null;
  riskLevel: string;
  blockedReason: string | null;
  executedAt: string;
  durationMs: number;
}

function toCommand(r: Wire): CommandEntry {
  const exit = field(r, "exitCode");
  return {
    id: str(r, "id"),
    sessionPublicId: str(r, "sessionPublicId"),
    userId: str(r, "userId"),
    command: str(r, "command"),
    commandType: str(r, "commandType"),
    status: str(r, "status"),
    output: strOrNull(r, "output"),
    outputTruncated: field(r, "outputTruncated") === true,
    exitCode: typeof exit === "number" ? exit : null,
    errorMessage: strOrNull(r, "errorMessage"),
    riskLevel: str(r, "riskLevel"),
    blockedReason: strOrNull(r, "blockedReason"),
    executedAt: str(r, "executedAt"),
    durationMs: Number(field(r, "durationMs") ?? 0),
  };
}

export interface CommandFilter {
  q?: string;
  userId?: string;
  status?: string;
  riskLevel?: string;
  /** ISO date-times, inclusive. */
  from?: string;
  to?: string;
}

export async function listCommands(f: CommandFilter, page = 1, pageSize = 50): Promise<Page<CommandEntry>> {
  const body = await request<unknown>("GET", "/api/commands", {
    query: {
      ...pageQuery(page, pageSize),
      q: f.q,
      user_id: f.userId,
      status: f.status,
      risk_level: f.riskLevel,
      from: f.from,
      to: f.to,
    },
  });
  return toPage(body, toCommand);
}
