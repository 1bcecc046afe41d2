// What to tell a person about a failed call: the server's stable error code turned into a sentence that
// says what happened and what to do. Pure, so every wording is unit-tested.
export interface FailureLike {
  status: number;
  code: string;
  message: string;
  details: unknown;
  retryAfterSeconds: number | null;
}

export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

function retryOf(f: FailureLike): number | null {
  const d = f.details as { retryAfterSeconds?: unknown } | null;
  if (d && typeof d.retryAfterSeconds === "number") return d.retryAfterSeconds;
  return f.retryAfterSeconds;
}

/** Field-level problems of a VALIDATION_ERROR, keyed by field path. */
export function fieldErrors(f: FailureLike): Record<string, string> {
  const d = f.details as { fields?: { path?: unknown; message?: unknown }[] } | null;
  const out: Record<string, string> = {};
  for (const x of d?.fields ?? [])
    if (typeof x.path === "string" && typeof x.message === "string") out[x.path] = x.message;
  return out;
}

export function signInMessage(f: FailureLike, secondsLeft?: number): string {
  switch (f.code) {
    case "INVALID_CREDENTIALS":
      return "Wrong email, password or code.";
    case "RATE_LIMITED": {
      const wait = formatWait(secondsLeft ?? retryOf(f) ?? 900);
      const scope = (f.details as { scope?: string } | null)?.scope;
      if (scope === "account")
        return `This account is locked after too many failed sign-ins. Try again in ${wait}, or ask an administrator to unlock it.`;
      if (scope === "ip") return `Too many failed sign-ins from your network. Try again in ${wait}.`;
      return `Too many failed sign-ins. Try again in ${wait}.`;
    }
    case "TENANT_NOT_FOUND":
      return "No organization by that name.";
    case "TENANT_SUSPENDED":
      return "This organization is suspended. Contact the platform operator.";
    case "IP_NOT_ALLOWED":
      return "Your address is not in your organization's allowed IP ranges.";
    case "SESSION_EXPIRED":
      return "Your sign-in expired. Sign in again.";
    default:
      return describe(f);
  }
}

export function describe(f: FailureLike): string {
  switch (f.code) {
    case "NETWORK_ERROR":
      return "The server cannot be reached. Check your connection and try again.";
    case "FORBIDDEN":
      return `You are not allowed to do this. ${f.message}`;
    case "DATABASE_UNAVAILABLE":
    case "SERVICE_UNAVAILABLE":
    case "REQUEST_TIMEOUT":
      return `The service is busy or restarting (${f.code}). Try again in a moment.`;
    case "TENANT_DB_UNREACHABLE":
      return `Database unreachable: ${f.message}`;
    case "TENANT_DB_AUTH_FAILED":
      return `The database refused the credentials: ${f.message}`;
    case "VALIDATION_ERROR": {
      const fields = Object.entries(fieldErrors(f));
      return fields.length ? `Check the form: ${fields.map(([k, v]) => `${k} ${v}`).join("; ")}.` : f.message;
    }
    default:
      return f.message || `Request failed (${f.code}).`;
  }
}
