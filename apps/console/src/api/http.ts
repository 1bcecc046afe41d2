// The one door to the Nostromo API: @nostromo/client's typed client (openapi-fetch over the committed
// OpenAPI document), so every path, query, body and answer here is typed from the document and a renamed
// field fails the type check. Around it, what a browser tab adds: the CSRF token of the current login on
// every state-changing call, the tenant picked at sign-in (X-Tenant-ID) when the host names none, and every
// failure thrown as one ApiFailure carrying the server's stable error code and request id.
import {
  ApiError,
  apiErrorOf,
  CSRF_HEADER,
  type components,
  createClient,
  TENANT_HEADER,
} from "@nostromo/client";
import { clientState } from "./client-state.ts";

export type Schemas = components["schemas"];

export class ApiFailure extends ApiError {
  /** Seconds the server asks to wait (Retry-After), when it says. */
  readonly retryAfterSeconds: number | null;
  constructor(error: ApiError, retryAfterSeconds: number | null) {
    super(error.status, error.code, error.message, error.requestId, error.details ?? null);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function make(withTenant: boolean) {
  const client = createClient({ baseUrl: location.origin, keepCookie: false });
  client.use({
    onRequest({ request }) {
      const h = request.headers;
      if (withTenant && clientState.tenant && !h.has(TENANT_HEADER)) h.set(TENANT_HEADER, clientState.tenant);
      if (!SAFE.has(request.method) && clientState.csrfToken) h.set(CSRF_HEADER, clientState.csrfToken);
      return request;
    },
    // Registered last, so it sees a failed response before the client's own middleware does.
    async onResponse({ request, response }) {
      if (response.ok) return response;
      const retry = Number(response.headers.get("retry-after"));
      const failure = new ApiFailure(
        await apiErrorOf(response),
        Number.isFinite(retry) && retry > 0 ? retry : null,
      );
      if (failure.status === 401 && new URL(request.url).pathname !== "/api/auth/login")
        clientState.onSignedOut?.(failure);
      throw failure;
    },
    onError() {
      return new ApiFailure(new ApiError(0, "NETWORK_ERROR", "The server cannot be reached"), null);
    },
  });
  return client;
}

/** Calls for the current tenant (the host's, or the one picked at sign-in). */
export const api = make(true);
/** Calls that must not name a picked tenant (which tenant does this host name?). */
export const hostApi = make(false);

/** The answer of a call the middleware let through (a failure has thrown already). */
export async function ok<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await call;
  if (data === undefined && response.status !== 204)
    throw new ApiFailure(new ApiError(response.status, "EMPTY_ANSWER", "The server sent no answer"), null);
  return data as T;
}

/** A file the API serves (an export, a recording): its bytes and the name the server gives it. */
export async function fileOf(call: Promise<{ data?: unknown; response: Response }>) {
  const { data, response } = await call;
  const disposition = response.headers.get("content-disposition") ?? "";
  const fileName = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? null;
  return { blob: data as Blob, fileName };
}

/** A list page as the API answers it: `{ data, pagination: { page, page_size, total } }`. */
export interface Page<T> {
  data: T[];
  pagination: { page: number; page_size: number; total: number };
}
