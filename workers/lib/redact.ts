// Write-only secrets in responses: a webhook URL carries its secret in the path or query (Slack, Teams,
// generic hooks), so no response — the tenant's own settings, the super admin's tenant detail, the audit
// trail — shows more than its origin.

/** `https://hooks.example/…` for a set URL, null when none. */
export function redactUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "…";
  }
}

/** Organization settings as any response may show them. */
export function presentSettings<S extends { webhook_url?: string | null }>(s: S): S {
  if (!s.webhook_url) return s;
  return { ...s, webhook_url: redactUrl(s.webhook_url) ?? undefined };
}
