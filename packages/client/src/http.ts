// The typed HTTP client: openapi-fetch over the API's OpenAPI document (`paths` in schema.d.ts, generated
// by `npm run client:generate`), plus what every call needs and the document does not say:
// - failures are thrown as ApiError (the error model's `code`), so `data` is there when a call returns;
// - the tenant (X-Tenant-ID), a bearer token (API tokens), or the login cookie and its CSRF token.
//   A browser keeps the `sid` cookie itself (same origin); elsewhere (Node: the CLI, tests, benchmarks)
//   the client keeps it from Set-Cookie and sends it back. Cookie-authenticated requests that change
//   state carry X-CSRF-Token (workers/auth/authenticate.ts); the token comes with login and /api/auth/me.
import createFetchClient, { type Client, type Middleware } from "openapi-fetch";
import { apiErrorOf } from "./errors.ts";
import type { paths } from "./schema.d.ts";

export const CSRF_HEADER = "x-csrf-token";
export const TENANT_HEADER = "x-tenant-id";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface ClientOptions {
  /** Origin of the API, e.g. https://acme.nostromo.example (no trailing /api). */
  baseUrl: string;
  /** Defaults to the global fetch (Node 20, browsers). */
  fetch?: (request: Request) => Promise<Response>;
  /** An API token (`nst_…`), sent as a bearer token; no cookie is then kept. */
  token?: string;
  /** Tenant id or subdomain, sent as X-Tenant-ID (not needed on a tenant's own subdomain). */
  tenant?: string;
  /** Keep the `sid` cookie in the client (default: true where there is no `document`, i.e. not a browser). */
  keepCookie?: boolean;
}

/** The login state the client carries between calls. */
export interface Credentials {
  token: string | null;
  tenant: string | null;
  /** The `sid` cookie's value when the client keeps it (outside a browser). */
  sid: string | null;
  csrf: string | null;
}

export type NostromoClient = Client<paths> & {
  readonly credentials: Credentials;
  /** POST /api/auth/login; keeps the cookie and the CSRF token for the calls that follow. */
  login(email: string, password: string, extra?: Record<string, unknown>): Promise<unknown>;
};

export function createClient(options: ClientOptions): NostromoClient {
  const credentials: Credentials = {
    token: options.token ?? null,
    tenant: options.tenant ?? null,
    sid: null,
    csrf: null,
  };
  const keepCookie = options.keepCookie ?? !("document" in globalThis);
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(sessionMiddleware(credentials, keepCookie));
  const login = (email: string, password: string, extra: Record<string, unknown> = {}) =>
    rawJson(client, "/api/auth/login", { email, password, ...extra });
  return Object.assign(client, { credentials, login });
}

/** Posts to a path the generated document may not describe yet (login, until the contract lands). */
async function rawJson(client: Client<paths>, path: string, body: unknown): Promise<unknown> {
  const post = client.POST as unknown as (
    path: string,
    init: { body: unknown },
  ) => Promise<{ data?: unknown; error?: unknown }>;
  const { data } = await post(path, { body });
  return data;
}

function sessionMiddleware(credentials: Credentials, keepCookie: boolean): Middleware {
  return {
    onRequest({ request }) {
      const h = request.headers;
      if (credentials.tenant && !h.has(TENANT_HEADER)) h.set(TENANT_HEADER, credentials.tenant);
      if (credentials.token) h.set("authorization", `Bearer ${credentials.token}`);
      else if (keepCookie && credentials.sid) h.set("cookie", `sid=${credentials.sid}`);
      if (!credentials.token && credentials.csrf && !SAFE_METHODS.has(request.method))
        h.set(CSRF_HEADER, credentials.csrf);
      return request;
    },
    async onResponse({ request, response }) {
      if (keepCookie) {
        const sid = /(?:^|,\s*)sid=([^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
        if (sid !== undefined) credentials.sid = sid || null;
      }
      if (!response.ok) throw await apiErrorOf(response);
      // The CSRF token arrives with login and /api/auth/me only: no other body is read twice.
      const auth = new URL(request.url).pathname.startsWith("/api/auth/");
      if (auth && response.headers.get("content-type")?.includes("application/json")) {
        const body = (await response.clone().json()) as { csrf_token?: unknown } | null;
        if (body && typeof body.csrf_token === "string") credentials.csrf = body.csrf_token;
      }
      return response;
    },
  };
}
