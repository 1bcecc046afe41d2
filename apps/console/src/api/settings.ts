// The organization's settings (GET/PATCH /api/settings). The webhook URL is write-only: the server answers
// with its origin only (`https://host/…`), so the console can show that one is set but never its secret.
import { api, ok, type Schemas } from "./http.ts";

export type Organization = Schemas["Organization"];
export type OrgSettings = Schemas["OrganizationSettings"];

export function getSettings(): Promise<Organization> {
  return ok(api.GET("/api/settings"));
}

export interface SettingsChange {
  sessionTimeoutMs: number;
  autoRecordSessions: boolean;
  require2fa: boolean;
  allowedIpRanges: string[];
  approvalTimeoutMs: number | null;
  /** undefined: keep the webhook; null: remove it; a string: replace it. */
  webhookUrl?: string | null;
}

export function saveSettings(c: SettingsChange): Promise<Organization> {
  const settings = {
    session_timeout: c.sessionTimeoutMs,
    auto_record_sessions: c.autoRecordSessions,
    require_2fa: c.require2fa,
    allowed_ip_ranges: c.allowedIpRanges,
    approval_timeout_ms: c.approvalTimeoutMs,
    webhook_url: c.webhookUrl,
  };
  return ok(api.PATCH("/api/settings", { body: { settings } }));
}
