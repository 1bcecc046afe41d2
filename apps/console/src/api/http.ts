// The one door to the Nostromo API: same-origin fetch with the login cookie, the CSRF token on every
// state-changing call, the tenant chosen in the sign-in picker (X-Tenant-ID) when the host names none, and
// every failure turned into one ApiFailure carrying the server's stable error code.
import { clientState } from "./client-state.ts";

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly retryAfterSeconds: number | null;
  constructor(status: number, code: string, message: string, details: unknown, retryAfter: number | null) {
    super(message);
    this.name = "ApiFailure";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfter;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Overrides the picked tenant for this call (the sign-in picker checks a name before keeping it). */
  tenant?: string | null;
}

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function failureOf(res: Response): Promise<ApiFailure> {
  const retryHeader = Number(res.headers.get("retry-after"));
  let code = `HTTP_${res.status}`;
  let message = res.statusText || "Request failed";
  let details: unknown = null;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    details = body.error?.details ?? null;
  } catch {
    // not JSON (a proxy's error page): keep the status
  }
  const retry = Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : null;
  return new ApiFailure(res.status, code, message, details, retry);
}

async function send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  const tenant = opts.tenant === undefined ? clientState.tenant : opts.tenant;
  if (tenant) headers["x-tenant-id"] = tenant;
  if (method !== "GET" && clientState.csrfToken) headers["x-csrf-token"] = clientState.csrfToken;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(urlOf(path, opts.query), {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiFailure(0, "NETWORK_ERROR", "The server cannot be reached", null, null);
  }
  if (!res.ok) {
    const failure = await failureOf(res);
    if (failure.status === 401 && path !== "/api/auth/login") clientState.onSignedOut?.(failure);
    throw failure;
  }
  return res;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, "application/json");
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A file the API serves (an export, a recording): its bytes and the name the server gives it. */
export async function download(
  path: string,
  query?: Query,
): Promise<{ blob: Blob; fileName: string | null }> {
  const res = await send("GET", path, { query }, "*/*");
  const disposition = res.headers.get("content-disposition") ?? "";
  const fileName = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? null;
  return { blob: await res.blob(), fileName };
}
