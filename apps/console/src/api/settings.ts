// The organization's settings (GET/PATCH /api/settings). The webhook URL is write-only: the server answers
// with its origin only (`https://host/…`), so the console can show that one is set but never its secret.
import { request } from "./http.ts";
import { field, str, strings, strOrNull, type Wire } from "./wire.ts";

export interface OrgSettings {
  name: string;
  sessionTimeoutMs: number;
  autoRecordSessions: boolean;
  require2fa: boolean;
  allowedIpRanges: string[];
  approvalTimeoutMs: number | null;
  /** The webhook's origin when one is set, else null. */
  webhook: string | null;
  ssoRequired: boolean;
  ssoBreakGlassEmail: string | null;
}

const numOrNull = (r: Wire, name: string): number | null => {
  const v = field(r, name);
  return typeof v === "number" ? v : null;
};

function toSettings(r: Wire): OrgSettings {
  const s = (field(r, "settings") ?? {}) as Wire;
  return {
    name: str(r, "name"),
    sessionTimeoutMs: Number(field(s, "sessionTimeout") ?? 0),
    autoRecordSessions: field(s, "autoRecordSessions") === true,
    require2fa: field(s, "require2fa") === true || field(s, "require_2fa") === true,
    allowedIpRanges: strings(s, "allowedIpRanges"),
    approvalTimeoutMs: numOrNull(s, "approvalTimeoutMs"),
    webhook: strOrNull(s, "webhookUrl"),
    ssoRequired: field(s, "ssoEnabled") === true,
    ssoBreakGlassEmail: strOrNull(s, "ssoBreakGlassEmail"),
  };
}

export async function getSettings(): Promise<OrgSettings> {
  return toSettings(await request<Wire>("GET", "/api/settings"));
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

export async function saveSettings(c: SettingsChange): Promise<OrgSettings> {
  const settings: Wire = {
    session_timeout: c.sessionTimeoutMs,
    auto_record_sessions: c.autoRecordSessions,
    require_2fa: c.require2fa,
    allowed_ip_ranges: c.allowedIpRanges,
    approval_timeout_ms: c.approvalTimeoutMs,
  };
  if (c.webhookUrl !== undefined) settings.webhook_url = c.webhookUrl;
  return toSettings(await request<Wire>("PATCH", "/api/settings", { body: { settings } }));
}
